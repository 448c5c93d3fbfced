// The lab's page runs its experiment without leaving the page: the form is
// posted with fetch, asking for an event stream, and each step is shown as
// the node sends it, then the outcome. Without this script the form posts
// as usual and the node answers the page with every step and the outcome.
(function () {
	'use strict';

	var form = document.getElementById('lab-run');
	var msgs = document.getElementById('lab-messages');
	if (!form || !msgs || !window.fetch || !window.TextDecoder || !window.DOMParser) { return; }
	var button = document.getElementById('lab-button');
	var status = document.getElementById('lab-status');
	var live = document.getElementById('lab-live');
	var list = document.getElementById('lab-steps');
	var result = document.getElementById('lab-result');

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) { e.className = cls; }
		if (text !== undefined) { e.textContent = text; }
		return e;
	}

	// tree returns the step's picture as an SVG element, or null. The node
	// sends it only when it is a picture drawn by its own chart code (it
	// checks the markup); here it is parsed as SVG, never as HTML, and
	// taken only when it is one well-formed <svg>.
	function tree(svg) {
		if (typeof svg !== 'string' || svg.indexOf('<svg') !== 0) { return null; }
		var doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
		var root = doc.documentElement;
		if (!root || root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) { return null; }
		return document.importNode(root, true);
	}

	function showStep(s) {
		var li = el('li', 'lab-step');
		li.appendChild(el('span', 'lab-at', s.at || ''));
		if (s.node) {
			li.appendChild(document.createTextNode(' '));
			li.appendChild(el('span', 'lab-node', s.node));
		}
		li.appendChild(document.createTextNode(' '));
		li.appendChild(el('span', 'lab-text', s.text || ''));
		if (s.hashes) {
			li.appendChild(document.createTextNode(' '));
			li.appendChild(el('span', 'lab-hashes', s.hashes));
		}
		var pic = s.tree ? tree(s.tree) : null;
		if (pic) {
			var fig = el('figure', 'fig tree lab-tree');
			var scroll = el('div', 'tree-scroll');
			scroll.appendChild(pic);
			fig.appendChild(scroll);
			li.appendChild(fig);
		}
		list.appendChild(li);
		li.scrollIntoView({ block: 'nearest' });
	}

	function showOutcome(o) {
		result.classList.remove('lab-ok', 'lab-bad');
		result.classList.add(o.ok ? 'lab-ok' : 'lab-bad');
		document.getElementById('lab-verdict').textContent = o.verdict || '';
		document.getElementById('lab-summary').textContent = o.summary || '';
		document.getElementById('lab-why').textContent = o.why || '';
		var took = document.getElementById('lab-took');
		took.textContent = (took.getAttribute('data-template') || '%s').replace('%s', o.took || '');
		var figs = document.getElementById('lab-figures');
		figs.textContent = '';
		(o.figures || []).forEach(function (f) {
			var div = el('div', 'lab-figure');
			div.setAttribute('data-name', f.name);
			div.appendChild(el('dt', '', f.label));
			div.appendChild(el('dd', '', f.value));
			figs.appendChild(div);
		});
		figs.hidden = !(o.figures && o.figures.length);
		setParts(true);
		result.hidden = false;
		result.scrollIntoView({ block: 'start' });
	}

	// setParts shows the summary, figures and why of an outcome, or hides
	// them for a failure, which has only its verdict.
	function setParts(shown) {
		['lab-summary', 'lab-figures', 'lab-why', 'lab-why-title', 'lab-took'].forEach(function (id) {
			var e = document.getElementById(id);
			if (e) { e.hidden = !shown; }
		});
	}

	function showFailure(message) {
		result.classList.remove('lab-ok');
		result.classList.add('lab-bad');
		document.getElementById('lab-verdict').textContent = message;
		setParts(false);
		result.hidden = false;
		result.scrollIntoView({ block: 'start' });
	}

	// handle dispatches one event of the stream.
	function handle(event, data) {
		var v;
		try { v = JSON.parse(data); } catch (e) { return false; }
		if (event === 'step') { showStep(v); return false; }
		if (event === 'outcome') { showOutcome(v); return true; }
		if (event === 'failed') { showFailure(v.message || ''); return true; }
		return false;
	}

	// read parses the event stream as it arrives: events are separated by
	// a blank line, each with "event:" and "data:" lines.
	function read(body) {
		var reader = body.getReader();
		var decoder = new TextDecoder();
		var buf = '', ended = false;
		function pump() {
			return reader.read().then(function (chunk) {
				if (chunk.done) { return ended; }
				buf += decoder.decode(chunk.value, { stream: true });
				var i;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					var block = buf.slice(0, i);
					buf = buf.slice(i + 2);
					var event = 'message', data = [];
					block.split('\n').forEach(function (line) {
						if (line.indexOf('event:') === 0) { event = line.slice(6).trim(); }
						else if (line.indexOf('data:') === 0) { data.push(line.slice(5).replace(/^ /, '')); }
					});
					if (data.length && handle(event, data.join('\n'))) { ended = true; }
				}
				return pump();
			});
		}
		return pump();
	}

	form.addEventListener('submit', function (ev) {
		ev.preventDefault();
		if (button.disabled) { return; }
		button.disabled = true;
		list.textContent = '';
		result.hidden = true;
		live.hidden = false;
		status.textContent = msgs.getAttribute('data-busy');
		fetch(form.action, {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'Accept': 'text/event-stream, application/json' }
		}).then(function (r) {
			var type = r.headers.get('Content-Type') || '';
			if (r.ok && type.indexOf('text/event-stream') === 0 && r.body) {
				return read(r.body).then(function (ended) {
					if (!ended) { showFailure(msgs.getAttribute('data-lost')); }
				});
			}
			// Refused (busy, off): the node says why, in JSON.
			return r.json().then(function (m) { showFailure(m.message || String(r.status)); },
				function () { showFailure(String(r.status)); });
		}).catch(function () {
			showFailure(msgs.getAttribute('data-lost'));
		}).then(function () {
			status.textContent = msgs.getAttribute('data-done');
			button.disabled = false;
		});
	});
})();
