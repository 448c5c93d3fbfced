// pyBTC pages work without this script; it adds local times, live
// updates and copy buttons. It runs under a Content-Security-Policy that
// allows no inline script, so everything it needs is in this file.
(function () {
	'use strict';

	var lang = document.documentElement.lang === 'ko' ? 'ko-KR' : undefined;

	// Pages write every time one way, in UTC, as the charts' axes do; the
	// tooltip adds the viewer's own local time.
	function localize(root) {
		root.querySelectorAll('time[data-ts]').forEach(function (t) {
			var d = new Date(parseFloat(t.getAttribute('data-ts')) * 1000);
			if (isNaN(d.getTime()) || t.hasAttribute('data-local')) { return; }
			t.setAttribute('data-local', '');
			t.title = (t.title ? t.title + ' · ' : '') + d.toLocaleString(lang);
		});
	}

	// Ages ("3 min ago") tick, in the words of the server's patterns:
	// seconds, minutes, hours, days, and the future.
	var agePatterns = (document.body.getAttribute('data-ages') || '').split('|');
	function ageText(ts) {
		var secs = Date.now() / 1000 - ts;
		if (agePatterns.length < 5) { return null; }
		if (secs < -1) { return agePatterns[4]; }
		var n, i;
		if (secs < 60) { n = secs; i = 0; } else if (secs < 3600) { n = secs / 60; i = 1; } else if (secs < 172800) { n = secs / 3600; i = 2; } else { n = secs / 86400; i = 3; }
		return agePatterns[i].replace('%d', String(Math.max(Math.floor(n), 0)));
	}
	function tick() {
		document.querySelectorAll('time.age[data-ts]').forEach(function (t) {
			var text = ageText(parseFloat(t.getAttribute('data-ts')));
			if (text !== null && t.textContent !== text) { t.textContent = text; }
		});
	}

	// A copy button after every [data-copyable], made here so that pages
	// without this script show none.
	function copyables(root) {
		var label = document.body.getAttribute('data-copy-label') || 'Copy';
		var done = document.body.getAttribute('data-copied-label') || '✓';
		root.querySelectorAll('[data-copyable]').forEach(function (value) {
			// A button may not sit inside a link: it goes after it.
			var el = value.closest('a') || value;
			if (!navigator.clipboard || el.nextElementSibling && el.nextElementSibling.classList.contains('copy')) { return; }
			var b = document.createElement('button');
			b.type = 'button';
			b.className = 'copy';
			b.textContent = label;
			b.addEventListener('click', function (ev) {
				ev.preventDefault();
				navigator.clipboard.writeText(value.textContent.trim()).then(function () {
					b.textContent = done;
					setTimeout(function () { b.textContent = label; }, 1500);
				});
			});
			el.insertAdjacentElement('afterend', b);
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
							copyables(node);
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
		copyables(document);
		tick();
		setInterval(tick, 1000);
		live();
	}
	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
})();
