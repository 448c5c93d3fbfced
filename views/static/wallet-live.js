// The wallet's send form with script: the Max button fills in what the
// address can send, read when it is clicked, so that it follows the
// balances app.js keeps live. Without script the form offers "send
// everything" instead, which the server fills in.
(function () {
	'use strict';

	function start() {
		var max = document.getElementById('max');
		var form = document.getElementById('send');
		if (!max || !form) { return; }
		var check = document.getElementById('max-check');
		if (check) {
			check.querySelector('input').checked = false;
			check.hidden = true;
		}
		max.hidden = false;
		max.addEventListener('click', function () {
			var spendable = document.getElementById('spendable');
			var amount = spendable ? spendable.getAttribute('data-amount') : '';
			if (!amount || !(parseFloat(amount) > 0)) { return; }
			form.elements.amount.value = amount;
			form.elements.amount.focus();
		});
	}

	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', start);
	} else {
		start();
	}
}());
