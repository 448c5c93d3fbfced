// Package chart draws small SVG charts on the server, for pages that must
// work without JavaScript and under a strict Content-Security-Policy
// (style-src 'self'). The output is meant to be written inline into an
// html/template page, so it is returned as template.HTML; everything a
// caller passes in (titles, labels, tooltips, links) is escaped here, and
// links other than relative, http, https and mailto ones are dropped.
//
// There are no style attributes and no <style> elements: the few
// presentation attributes set (fill and stroke as currentColor, the font
// size) only make a chart readable without a stylesheet, and any CSS rule
// on the class names below overrides them. The site stylesheet may style:
//
//	chart           the root <svg> of every chart
//	chart-bars      the root of a bar chart
//	chart-lines     the root of a line chart
//	chart-empty     the root of a chart with no data
//	chart-message   the "No data" text (with chart-label)
//	chart-line      the line of a line chart (a <path>)
//	chart-grid      horizontal grid lines at the y ticks
//	chart-axis      the x and y axes
//	chart-label     every piece of text: ticks, unit, x labels, message
//	chart-tick      y-axis tick labels (with chart-label)
//	chart-unit      the unit above the y axis (with chart-label)
//	chart-xlabel    labels under the x axis (with chart-label)
//	chart-item      one bar and its hit area, when the bar is not a link
//	chart-link      one bar and its hit area, when the bar is a link (<a>)
//	chart-bar       the visible bar (a <rect>)
//	chart-hit       a transparent full-height <rect> that catches the pointer
//	chart-clamped   the marker under a bar whose negative value was drawn as 0
//	chart-point     one point of a line chart (a <g> holding a <circle>)
//
// # Size
//
// Every chart has a viewBox and width="100%", so it takes the width of
// its container and keeps its proportions; text scales with it, so give
// .chart a max-width on wide screens.
//
// # Accessibility
//
// The root is <svg role="img"> labelled by its <title> and described by
// its <desc>, so a screen reader announces Title and Description as one
// image. The bars' links are left out of the tab order, because fifty tab
// stops inside one image help nobody; the page should offer the same data
// as an HTML table (in a <details> under the chart, say) with its own
// links.
//
// Ids inside an inline SVG share the page's id space, so each chart takes
// an id prefix from the caller, which must be unique on the page.
package chart
