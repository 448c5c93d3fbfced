// pyBTC pages work without this script; it adds local times, live
// updates and copy buttons. It runs under a Content-Security-Policy that
// allows no inline script, so everything it needs is in this file.
(function () {
	'use strict';

	var lang = document.documentElement.lang === 'ko' ? 'ko-KR' : undefined;

	// Show every time in the viewer's own time zone; the UTC time the
	// server wrote stays in the tooltip.
	function localize(root) {
		root.querySelectorAll('time[data-ts]').forEach(function (t) {
			var d = new Date(parseFloat(t.getAttribute('data-ts')) * 1000);
			if (isNaN(d.getTime())) { return; }
			if (!t.title) { t.title = t.textContent; }
			t.textContent = d.toLocaleString(lang);
		});
	}

	// Copy buttons: <button data-copy="#id"> copies the text of #id.
	function copyButtons(root) {
		root.querySelectorAll('button[data-copy]').forEach(function (b) {
			b.hidden = false;
			b.addEventListener('click', function () {
				var el = document.querySelector(b.getAttribute('data-copy'));
				if (!el || !navigator.clipboard) { return; }
				navigator.clipboard.writeText(el.textContent.trim()).then(function () {
					var old = b.textContent;
					b.textContent = b.getAttribute('data-copied') || '✓';
					setTimeout(function () { b.textContent = old; }, 1500);
				});
			});
		});
	}

	// Live parts of a page (id and data-live) are fetched again when the
	// node says a block or transactions arrived, at most once a second.
	function live() {
		var url = document.body.getAttribute('data-events');
		if (!url || !window.EventSource || !window.fetch || !window.DOMParser) { return; }
		var waiting = false, again = false;
		function refresh() {
			if (waiting) { again = true; return; }
			waiting = true;
			fetch(location.href, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' })
				.then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
				.then(function (html) {
					var doc = new DOMParser().parseFromString(html, 'text/html');
					document.querySelectorAll('[data-live][id]').forEach(function (el) {
						var fresh = doc.getElementById(el.id);
						if (fresh) {
							var node = document.importNode(fresh, true);
							el.replaceWith(node);
							localize(node);
						}
					});
				})
				.catch(function () {})
				.then(function () {
					setTimeout(function () {
						waiting = false;
						if (again) { again = false; refresh(); }
					}, 1000);
				});
		}
		var badge = document.getElementById('live');
		var es = null;
		function open() {
			es = new EventSource(url);
			es.addEventListener('open', function () { if (badge) { badge.hidden = false; } });
			es.addEventListener('error', function () { if (badge) { badge.hidden = true; } });
			es.addEventListener('block', refresh);
			es.addEventListener('mempool', refresh);
			es.addEventListener('forks', refresh);
		}
		// A page left for another may be kept in the back-forward cache
		// with its stream still open; a browser opens only six connections
		// to a server, so six pages visited would stall the seventh.
		window.addEventListener('pagehide', function () {
			if (es) { es.close(); es = null; }
			if (badge) { badge.hidden = true; }
		});
		window.addEventListener('pageshow', function (ev) {
			if (ev.persisted && !es) { open(); refresh(); }
		});
		open();
	}

	function start() {
		localize(document);
		copyButtons(document);
		live();
	}
	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
})();
