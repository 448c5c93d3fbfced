// The devnet's watch page: polls /devnet.json and draws every node side
// by side. Text goes in with textContent only: miners' names come from
// transactions, which anyone can write.
(function () {
	'use strict';
	var seen = {}; // hashes already drawn, to mark new blocks

	// A miner's color, the same on every node and every refresh: the
	// devnet's own nodes get hues far apart, in their order; any other
	// miner a hue from its name, well mixed so that node_5000 and
	// node_5001 do not look alike.
	var hues = {};
	function hue(name) {
		if (hues[name] !== undefined) { return hues[name]; }
		var h = 2166136261;
		for (var i = 0; i < name.length; i++) {
			h = Math.imul(h ^ name.charCodeAt(i), 16777619);
		}
		h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
		h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
		return ((h ^ (h >>> 16)) >>> 0) % 360;
	}

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) { e.className = cls; }
		if (text !== undefined) { e.textContent = text; }
		return e;
	}

	function short(hash) {
		return hash.length > 12 ? hash.slice(0, 6) + '…' + hash.slice(-4) : hash;
	}

	// Heights at which the nodes hold different blocks.
	function forks(nodes) {
		var byHeight = {}, out = {};
		nodes.forEach(function (n) {
			n.blocks.forEach(function (b) {
				var s = byHeight[b.height] || (byHeight[b.height] = {});
				s[b.hash] = true;
			});
		});
		Object.keys(byHeight).forEach(function (h) {
			if (Object.keys(byHeight[h]).length > 1) { out[h] = true; }
		});
		return out;
	}

	function draw(data) {
		var nodes = data.nodes, fork = forks(nodes);
		// The nodes' hues start at blue, away from the red of forks.
		nodes.forEach(function (n, i) { hues[n.miner] = Math.round(210 + i * 137.5) % 360; });
		var tips = {};
		nodes.forEach(function (n) { tips[n.tip] = true; });
		var summary = document.getElementById('summary');
		var count = Object.keys(tips).length;
		if (count === 1) {
			summary.textContent = 'All ' + nodes.length + ' nodes agree: height ' + nodes[0].height + ', tip ' + short(nodes[0].tip) + '.';
			summary.className = 'agree';
		} else {
			summary.textContent = 'The nodes have ' + count + ' different tips: they are racing. The longest chain will win.';
			summary.className = 'differ';
		}
		var root = document.getElementById('nodes');
		var cols = nodes.map(function (n) {
			var col = el('section', 'node');
			var title = el('h2');
			var link = el('a', '', n.url);
			link.href = n.url + '/scan';
			title.appendChild(link);
			col.appendChild(title);
			var facts = el('p', 'facts');
			facts.appendChild(document.createTextNode('height '));
			facts.appendChild(el('b', 'height', String(n.height)));
			facts.appendChild(document.createTextNode(' · tip '));
			var tip = el('code', 'tip', short(n.tip));
			tip.title = n.tip;
			facts.appendChild(tip);
			facts.appendChild(el('br'));
			facts.appendChild(document.createTextNode('mines as '));
			var me = el('span', 'miner', n.miner);
			me.style.color = 'hsl(' + hue(n.miner) + ', 65%, 35%)';
			facts.appendChild(me);
			facts.appendChild(document.createTextNode(' · ' + n.peers + ' peers · ' + n.pending + ' pending'));
			col.appendChild(facts);
			if (n.error) { col.appendChild(el('p', 'error', n.error)); }
			var list = el('ol', 'blocks');
			n.blocks.forEach(function (b) {
				var li = el('li', 'block');
				li.dataset.hash = b.hash;
				if (fork[b.height]) { li.classList.add('fork'); }
				if (!seen[b.hash] && Object.keys(seen).length > 0) { li.classList.add('new'); }
				li.appendChild(el('span', 'h', '#' + b.height));
				var hash = el('code', '', short(b.hash));
				hash.title = b.hash;
				li.appendChild(hash);
				var miner = el('span', 'miner', b.miner || 'genesis');
				if (b.miner) {
					var c = 'hsl(' + hue(b.miner) + ', 65%, 45%)';
					li.style.borderLeftColor = c;
					miner.style.color = 'hsl(' + hue(b.miner) + ', 65%, 30%)';
				}
				li.appendChild(miner);
				list.appendChild(li);
			});
			col.appendChild(list);
			return col;
		});
		root.replaceChildren.apply(root, cols);
		nodes.forEach(function (n) { n.blocks.forEach(function (b) { seen[b.hash] = true; }); });
	}

	function poll() {
		fetch('/devnet.json', { cache: 'no-store' })
			.then(function (r) {
				if (!r.ok) { throw new Error('status ' + r.status); }
				return r.json();
			})
			.then(draw)
			.catch(function (err) {
				var summary = document.getElementById('summary');
				summary.textContent = 'The devnet does not answer (' + err.message + '); retrying.';
				summary.className = 'differ';
			})
			.then(function () { setTimeout(poll, 1000); });
	}

	document.addEventListener('DOMContentLoaded', poll);
}());
