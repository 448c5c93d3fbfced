// Key addresses in the wallet (SPEC §11): the key is made, kept and used
// in this page only. The node sees the address and signed payments,
// never the key. The page works under a Content-Security-Policy without
// inline script, so everything is here; its sentences come from the
// page's data-msg-* attributes, in the page's language.
//
// Where the key lives: IndexedDB holds a non-extractable CryptoKey. No
// script, not even one injected into the page, can read the key's bytes
// back from it; it can only ask the browser to sign. sessionStorage
// would hold the seed as text for any script to read. The key file is
// offered for download once, when the key is made (its bytes exist only
// then), and logging out removes the key from this browser, so that the
// next user of a shared computer cannot spend with it.
(function () {
	'use strict';

	// ---- bech32m (BIP 350), as keys.AddressOf and keys.ParseAddress ----

	const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
	const BECH32M = 0x2bc830a3;
	const HRP = 'pb';

	function polymod(values) {
		const gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
		let chk = 1;
		for (const v of values) {
			const top = chk >>> 25;
			chk = ((chk & 0x1ffffff) << 5) ^ v;
			for (let i = 0; i < 5; i++) {
				if ((top >>> i) & 1) { chk ^= gen[i]; }
			}
		}
		return chk >>> 0;
	}

	function hrpExpand(hrp) {
		const out = [];
		for (let i = 0; i < hrp.length; i++) { out.push(hrp.charCodeAt(i) >> 5); }
		out.push(0);
		for (let i = 0; i < hrp.length; i++) { out.push(hrp.charCodeAt(i) & 31); }
		return out;
	}

	// convertBits regroups bits; without pad, leftover bits must be zero
	// and fewer than from, so that one key has one address. null: invalid.
	function convertBits(data, from, to, pad) {
		let acc = 0, bits = 0;
		const out = [], max = (1 << to) - 1;
		for (const v of data) {
			acc = (acc << from) | v;
			bits += from;
			while (bits >= to) {
				bits -= to;
				out.push((acc >>> bits) & max);
			}
			acc &= (1 << bits) - 1;
		}
		if (pad) {
			if (bits > 0) { out.push((acc << (to - bits)) & max); }
		} else if (bits >= from || ((acc << (to - bits)) & max) !== 0) {
			return null;
		}
		return out;
	}

	function encodeAddress(pub) {
		const data = convertBits(pub, 8, 5, true);
		const mod = polymod(hrpExpand(HRP).concat(data, [0, 0, 0, 0, 0, 0])) ^ BECH32M;
		let s = HRP + '1';
		for (const d of data) { s += CHARSET[d]; }
		for (let i = 0; i < 6; i++) { s += CHARSET[(mod >>> (5 * (5 - i))) & 31]; }
		return s;
	}

	// decodeAddress returns the 32-byte public key of a key address, or
	// null. Only lower case is a key address, as keys.ParseAddress says.
	function decodeAddress(s) {
		if (typeof s !== 'string' || s.length > 90 || s !== s.toLowerCase()) { return null; }
		const pos = s.lastIndexOf('1');
		if (pos < 1 || pos + 7 > s.length || s.slice(0, pos) !== HRP) { return null; }
		const data = [];
		for (const c of s.slice(pos + 1)) {
			const d = CHARSET.indexOf(c);
			if (d < 0) { return null; }
			data.push(d);
		}
		if (polymod(hrpExpand(HRP).concat(data)) !== BECH32M) { return null; }
		const bytes = convertBits(data.slice(0, -6), 5, 8, false);
		if (!bytes || bytes.length !== 32) { return null; }
		return new Uint8Array(bytes);
	}

	// ---- canonical JSON: json.dumps(obj, sort_keys=True), as wire.AppendCanonical ----

	// Num is a JSON number: text is its canonical form (Python's), written
	// how it goes on the wire. JavaScript has one number type where Python
	// has int and float (3 and 3.0 sign differently), so plain numbers are
	// refused by canonical.
	function Num(text, written) {
		this.text = text;
		this.written = written === undefined ? text : written;
	}

	// pyFloat writes x as Python's repr: the shortest digits that read back
	// as x (what Number's toString picks too), positional when
	// 1e-4 <= |x| < 1e16 with ".0" if it has no fraction, else "1e-05".
	function pyFloat(x) {
		if (!isFinite(x)) { throw new RangeError('not a finite number: ' + x); }
		if (x === 0) { return 1 / x < 0 ? '-0.0' : '0.0'; }
		const sign = x < 0 ? '-' : '';
		const s = Math.abs(x).toString();
		let mant = s, exp = 0;
		const e = s.indexOf('e');
		if (e >= 0) { mant = s.slice(0, e); exp = parseInt(s.slice(e + 1), 10); }
		const dot = mant.indexOf('.');
		const whole = dot < 0 ? mant : mant.slice(0, dot);
		let digits = whole + (dot < 0 ? '' : mant.slice(dot + 1));
		let point = whole.length + exp;
		const lead = digits.search(/[1-9]/);
		digits = digits.slice(lead).replace(/0+$/, '');
		point -= lead;
		const e10 = point - 1;
		if (e10 < -4 || e10 >= 16) {
			const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
			const a = Math.abs(e10);
			return sign + m + 'e' + (e10 < 0 ? '-' : '+') + (a < 10 ? '0' : '') + a;
		}
		if (e10 < 0) { return sign + '0.' + '0'.repeat(-e10 - 1) + digits; }
		if (digits.length <= point) { return sign + digits + '0'.repeat(point - digits.length) + '.0'; }
		return sign + digits.slice(0, point) + '.' + digits.slice(point);
	}

	// numberOf is the Num of a JSON number's text: an integer keeps its
	// digits, a float gets Python's form, while the wire carries the text
	// as typed, which the node reads for the amount's decimals.
	function numberOf(text) {
		if (/^-?(0|[1-9][0-9]*)$/.test(text)) { return new Num(text === '-0' ? '0' : text, text); }
		return new Num(pyFloat(Number(text)), text);
	}

	function quote(s) {
		let out = '"';
		for (let i = 0; i < s.length; i++) {
			const c = s.charCodeAt(i);
			switch (c) {
			case 0x22: out += '\\"'; break;
			case 0x5c: out += '\\\\'; break;
			case 0x0a: out += '\\n'; break;
			case 0x0d: out += '\\r'; break;
			case 0x09: out += '\\t'; break;
			case 0x08: out += '\\b'; break;
			case 0x0c: out += '\\f'; break;
			default:
				// UTF-16 code units: a character beyond U+FFFF comes out
				// as its surrogate pair, as ensure_ascii writes it.
				out += c >= 0x20 && c < 0x7f ? s[i] : '\\u' + c.toString(16).padStart(4, '0');
			}
		}
		return out + '"';
	}

	// byCodePoint orders keys as Python's sorted() does; JavaScript's sort
	// compares UTF-16 units, which differs beyond U+FFFF.
	function byCodePoint(a, b) {
		const x = Array.from(a), y = Array.from(b);
		for (let i = 0; i < x.length && i < y.length; i++) {
			const d = x[i].codePointAt(0) - y[i].codePointAt(0);
			if (d !== 0) { return d; }
		}
		return x.length - y.length;
	}

	function encode(v, wire) {
		if (v === null) { return 'null'; }
		if (v instanceof Num) { return wire ? v.written : v.text; }
		switch (typeof v) {
		case 'string': return quote(v);
		case 'boolean': return v ? 'true' : 'false';
		case 'object':
			if (Array.isArray(v)) { return '[' + v.map(function (x) { return encode(x, wire); }).join(', ') + ']'; }
			return '{' + Object.keys(v).sort(byCodePoint).map(function (k) {
				return quote(k) + ': ' + encode(v[k], wire);
			}).join(', ') + '}';
		}
		throw new TypeError('canonical JSON: write numbers as Num, not ' + typeof v);
	}

	// canonical is the text a signature signs; body is the same JSON with
	// numbers as they go on the wire.
	function canonical(v) { return encode(v, false); }
	function body(v) { return encode(v, true); }

	// ---- keys ----

	function hex(bytes) {
		return Array.from(bytes, function (b) { return b.toString(16).padStart(2, '0'); }).join('');
	}

	function unhex(s) {
		const out = new Uint8Array(s.length / 2);
		for (let i = 0; i < out.length; i++) { out[i] = parseInt(s.substr(2 * i, 2), 16); }
		return out;
	}

	function b64url(bytes) {
		return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	}

	function unb64url(s) {
		const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
		return Uint8Array.from(bin, function (c) { return c.charCodeAt(0); });
	}

	const ED25519 = { name: 'Ed25519' };

	// newKey makes a key; the result holds its seed, for the key file, until
	// it is dropped.
	async function newKey() {
		const pair = await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify']);
		const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
		const pub = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
		return { address: encodeAddress(pub), seed: hex(unb64url(jwk.d)) };
	}

	// keyFile is the key file as `pybtc key new` writes it
	// (keys.MarshalKeyFile).
	function keyFile(k) {
		return '{\n  "address": ' + JSON.stringify(k.address) + ',\n  "seed": ' + JSON.stringify(k.seed) + '\n}\n';
	}

	// importKey turns a seed and its address into a non-extractable signing
	// key, after checking that the seed is the key of the address: a test
	// signature must verify with the address's public key.
	async function importKey(address, seed) {
		const pub = decodeAddress(address);
		if (!pub) { throw new KeyError('bad-address'); }
		if (typeof seed !== 'string' || !/^[0-9a-fA-F]{64}$/.test(seed)) { throw new KeyError('bad-seed'); }
		let priv;
		try {
			priv = await crypto.subtle.importKey('jwk',
				{ kty: 'OKP', crv: 'Ed25519', d: b64url(unhex(seed)), x: b64url(pub) }, ED25519, false, ['sign']);
		} catch (e) {
			throw new KeyError('mismatch');
		}
		const probe = new TextEncoder().encode('pyBTC key check ' + address);
		const sig = await crypto.subtle.sign(ED25519, priv, probe);
		const pubKey = await crypto.subtle.importKey('raw', pub, ED25519, false, ['verify']);
		if (!await crypto.subtle.verify(ED25519, pubKey, sig, probe)) { throw new KeyError('mismatch'); }
		return priv;
	}

	// readKeyFile returns the address and signing key of a key file's text.
	async function readKeyFile(text) {
		let f;
		try { f = JSON.parse(text); } catch (e) { throw new KeyError('not-key-file'); }
		if (!f || typeof f !== 'object' || typeof f.address !== 'string' || typeof f.seed !== 'string') {
			throw new KeyError('not-key-file');
		}
		return { address: f.address, key: await importKey(f.address, f.seed) };
	}

	function KeyError(code) { this.code = code; }

	// ---- the keys this browser holds, by address ----

	function db() {
		return new Promise(function (resolve, reject) {
			const r = indexedDB.open('pybtc-wallet', 1);
			r.onupgradeneeded = function () { r.result.createObjectStore('keys', { keyPath: 'address' }); };
			r.onsuccess = function () { resolve(r.result); };
			r.onerror = function () { reject(r.error); };
		});
	}

	async function store(mode, work) {
		const d = await db();
		try {
			return await new Promise(function (resolve, reject) {
				const t = d.transaction('keys', mode);
				const r = work(t.objectStore('keys'));
				t.oncomplete = function () { resolve(r.result); };
				t.onerror = function () { reject(t.error); };
				t.onabort = function () { reject(t.error); };
			});
		} finally {
			d.close();
		}
	}

	function saveKey(address, key) { return store('readwrite', function (s) { return s.put({ address: address, key: key }); }); }
	async function loadKey(address) {
		const rec = await store('readonly', function (s) { return s.get(address); });
		return rec ? rec.key : null;
	}
	function forgetKey(address) { return store('readwrite', function (s) { return s.delete(address); }); }

	async function signHex(key, message) {
		return hex(new Uint8Array(await crypto.subtle.sign(ED25519, key, new TextEncoder().encode(message))));
	}

	// ---- the pages ----

	function msg(root, name) { return root.getAttribute('data-msg-' + name) || name; }

	function show(el, text) {
		el.textContent = text;
		el.hidden = false;
	}

	function keyErrorText(root, e) {
		if (e instanceof KeyError) { return msg(root, e.code); }
		return msg(root, 'failed') + ' ' + (e && e.message ? e.message : String(e));
	}

	function download(name, text) {
		const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
		const a = document.createElement('a');
		a.href = url;
		a.download = name;
		document.body.appendChild(a);
		a.click();
		a.remove();
		setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
	}

	function openWallet(address) {
		const form = document.getElementById('login');
		form.elements.address.value = address;
		form.submit();
	}

	// The login page: make a key address, or load one from its key file.
	function loginPage(root) {
		const error = document.getElementById('key-error');
		const created = document.getElementById('key-created');
		let made = null;
		root.querySelector('#key-tools').hidden = false;
		document.getElementById('key-new').addEventListener('click', async function () {
			error.hidden = true;
			try {
				made = await newKey();
			} catch (e) {
				show(error, msg(root, 'unsupported'));
				return;
			}
			document.getElementById('key-address').textContent = made.address;
			document.getElementById('key-open').disabled = true;
			created.hidden = false;
		});
		document.getElementById('key-download').addEventListener('click', function () {
			if (!made) { return; }
			download(made.address + '.key.json', keyFile(made));
			document.getElementById('key-open').disabled = false;
		});
		document.getElementById('key-open').addEventListener('click', async function () {
			if (!made) { return; }
			try {
				const key = await importKey(made.address, made.seed);
				await saveKey(made.address, key);
			} catch (e) {
				show(error, keyErrorText(root, e));
				return;
			}
			const address = made.address;
			made = null; // the seed is in the file the user keeps, and nowhere else
			openWallet(address);
		});
		document.getElementById('key-file').addEventListener('change', async function (ev) {
			error.hidden = true;
			const file = ev.target.files[0];
			if (!file) { return; }
			try {
				const k = await readKeyFile(await file.text());
				await saveKey(k.address, k.key);
				openWallet(k.address);
			} catch (e) {
				show(error, keyErrorText(root, e));
			} finally {
				ev.target.value = '';
			}
		});
	}

	// The wallet of a key address: payments are signed here and posted to
	// /transactions/new, the node's own API, as the CLI posts them.
	function walletPage(root, form) {
		const address = form.getAttribute('data-key-address');
		const fields = document.getElementById('send-fields');
		const status = document.getElementById('key-status');
		const loader = document.getElementById('key-load');
		const result = document.getElementById('key-result');
		const error = document.getElementById('key-error');
		let key = null;

		function ready(k) {
			key = k;
			fields.disabled = false;
			loader.hidden = true;
			show(status, msg(root, 'ready'));
		}
		function missing() {
			key = null;
			fields.disabled = true;
			status.hidden = true;
			loader.hidden = false;
		}
		function fail(text) {
			result.hidden = true;
			show(error, text);
		}

		loadKey(address).then(function (k) { if (k) { ready(k); } else { missing(); } }, missing);

		document.getElementById('key-file').addEventListener('change', async function (ev) {
			error.hidden = true;
			const file = ev.target.files[0];
			if (!file) { return; }
			try {
				const k = await readKeyFile(await file.text());
				if (k.address !== address) {
					fail(msg(root, 'other-address').replace('%s', k.address));
					return;
				}
				// Kept for the next visit if the browser lets the page
				// store it; this page can sign with it either way.
				try { await saveKey(address, k.key); } catch (e) { /* private windows may refuse */ }
				ready(k.key);
			} catch (e) {
				fail(keyErrorText(root, e));
			} finally {
				ev.target.value = '';
			}
		});

		// A payment is shown to confirm before it is signed, as the form
		// without a key shows it on a page of its own.
		const confirmBox = document.getElementById('key-confirm');
		form.addEventListener('submit', function (ev) {
			ev.preventDefault();
			result.hidden = true;
			error.hidden = true;
			if (!key) { missing(); return; }
			const recipient = form.elements.recipient.value.trim();
			const amount = form.elements.amount.value.trim();
			if (recipient === address) { fail(msg(root, 'self')); return; }
			document.getElementById('key-confirm-text').textContent =
				msg(root, 'confirm').replace('%s', amount).replace('%s', recipient);
			fields.disabled = true;
			confirmBox.hidden = false;
			document.getElementById('key-confirm-yes').focus();
		});
		document.getElementById('key-confirm-back').addEventListener('click', function () {
			confirmBox.hidden = true;
			fields.disabled = !key;
			form.elements.amount.focus();
		});
		document.getElementById('key-confirm-yes').addEventListener('click', async function () {
			confirmBox.hidden = true;
			// The last answer goes at once: what shows next is this one's.
			result.hidden = true;
			error.hidden = true;
			if (!key) { missing(); return; }
			const recipient = form.elements.recipient.value.trim();
			const amount = form.elements.amount.value.trim();
			// As the form without script sends it (sendTransaction): a
			// number when it reads as one, else the text, which the node
			// refuses with its reason.
			const tx = { sender: address, recipient: recipient, timestamp: numberOf(pyFloat(Date.now() / 1000)) };
			if (/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(amount)) {
				tx.amount = numberOf(amount);
			} else if (amount !== '') {
				tx.amount = amount;
			}
			fields.disabled = true;
			try {
				tx.signature = await signHex(key, canonical(tx));
				const r = await fetch('/transactions/new', {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
					body: body(tx),
					credentials: 'same-origin',
				});
				let answer = {};
				try { answer = await r.json(); } catch (e) { /* the status says enough */ }
				const said = typeof answer.message === 'string' ? answer.message : String(r.status);
				if (r.status !== 201) {
					fail(msg(root, 'refused') + ' ' + said);
					return;
				}
				error.hidden = true;
				result.textContent = msg(root, 'sent') + ' ' + said + ' ';
				if (typeof answer.transaction_id === 'string') {
					const a = document.createElement('a');
					a.href = '/scan/tx/' + encodeURIComponent(answer.transaction_id);
					a.textContent = answer.transaction_id.slice(0, 8) + '…';
					result.appendChild(a);
				}
				result.hidden = false;
				form.reset();
				await refresh();
			} catch (e) {
				fail(msg(root, 'failed') + ' ' + (e && e.message ? e.message : String(e)));
			} finally {
				fields.disabled = !key;
			}
		});

		// Logging out forgets the key in this browser; its file is the way
		// back.
		const logout = document.getElementById('logout-form');
		logout.addEventListener('submit', async function (ev) {
			ev.preventDefault();
			try { await forgetKey(address); } catch (e) { /* nothing stored */ }
			logout.submit();
		});
	}

	// refresh reads the wallet again and replaces its balances and history.
	async function refresh() {
		const r = await fetch('/wallet', { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' });
		if (!r.ok) { return; }
		const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
		['balances', 'history'].forEach(function (id) {
			const fresh = doc.getElementById(id), old = document.getElementById(id);
			if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
		});
		document.dispatchEvent(new CustomEvent('pybtc:wallet-refreshed'));
	}

	// For tests and for the curious: the encoders, which hold no secret.
	window.pybtcKeys = {
		encodeAddress: encodeAddress, decodeAddress: decodeAddress,
		Num: Num, numberOf: numberOf, pyFloat: pyFloat, canonical: canonical, body: body,
		hex: hex, importKey: importKey, signHex: signHex,
	};

	function start() {
		const root = document.getElementById('key-wallet');
		if (!root) { return; }
		if (!window.crypto || !crypto.subtle || !window.indexedDB) {
			const e = document.getElementById('key-error');
			if (e) { show(e, msg(root, 'unsupported')); }
			return;
		}
		const form = document.querySelector('form[data-key-address]');
		if (form) { walletPage(root, form); } else { loginPage(root); }
	}

	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
}());
