
(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.remove('nojs');
  var pool = root.getAttribute('data-pool') || '';
  var runbook = root.getAttribute('data-runbook') || '';
  // One store per pool and runbook version: an older runbook's ticks never show on a newer one.
  var KEY = 'abc-failover:ticks:' + pool + ':' + runbook;
  var INITIALS = 'abc-failover:initials';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.tick'));
  var byId = {};
  boxes.forEach(function (b) { byId[b.id] = b; });
  var KINDS = [['step', 'steps'], ['prep', 'preparation blocks'], ['other', 'other items'], ['check', 'checks']];
  var statusTimer = null;

  function $(id) { return document.getElementById(id); }
  function item(box) { return box.closest('li.task'); }
  function title(box) {
    var t = $(box.getAttribute('aria-labelledby'));
    return t ? t.textContent.replace(/\s+/g, ' ').trim() : box.id;
  }
  function utcNow() { return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  function say(text) {
    var s = $('status');
    s.textContent = text;
    if (statusTimer) { clearTimeout(statusTimer); }
    statusTimer = setTimeout(function () { s.textContent = ''; }, 6000);
  }

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY));
      if (s && typeof s === 'object' && s.ticks && typeof s.ticks === 'object' && Array.isArray(s.log)) { return s; }
    } catch (e) { /* a damaged entry starts afresh */ }
    return { ticks: {}, log: [] };
  }
  var store = load();
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(store));
    } catch (e) {
      say('The ticks could not be saved in this browser (' + e.message + '). Download the tick log now.');
    }
  }

  function initials() {
    var v = '';
    try { v = localStorage.getItem(INITIALS) || ''; } catch (e) { v = ''; }
    return v;
  }
  function setInitials(v) {
    v = String(v || '').replace(/\s+/g, ' ').trim().slice(0, 12);
    try { localStorage.setItem(INITIALS, v); } catch (e) { /* kept for this page only */ }
    $('initials').value = v;
    return v;
  }
  // Asked once per browser, on the first tick; the field in the bar changes them.
  function whoTicks() {
    var v = initials();
    if (!v) {
      v = setInitials(window.prompt('Your initials, recorded with each tick (asked once in this browser):', '') || '');
    }
    return v || '?';
  }

  function stampText(t) {
    return 'Ticked ' + t.at.replace('T', ' ').replace('Z', ' UTC') + ' by ' + t.by;
  }

  function render() {
    var counts = {};
    var done = 0;
    var next = null;
    KINDS.forEach(function (k) { counts[k[0]] = [0, 0]; });
    boxes.forEach(function (box) {
      var t = store.ticks[box.id];
      var li = item(box);
      var kind = li ? li.getAttribute('data-kind') : 'other';
      box.checked = !!t;
      if (li) { li.classList.toggle('done', !!t); }
      var stamp = $('s-' + box.id.slice(3));
      if (stamp) {
        stamp.textContent = t ? stampText(t) : '';
        stamp.hidden = !t;
      }
      if (counts[kind]) {
        counts[kind][1] += 1;
        if (t) { counts[kind][0] += 1; }
      }
      if (t) { done += 1; } else if (!next) { next = box; }
    });
    var parts = [];
    KINDS.forEach(function (k) {
      var c = counts[k[0]];
      if (c[1] > 0) { parts.push(c[0] + ' of ' + c[1] + ' ' + k[1]); }
    });
    $('progress-text').textContent = parts.join(', ');
    $('progress').value = done;
    $('next-title').textContent = next ? title(next) : 'Everything is ticked.';
    $('next').disabled = !next;
    Array.prototype.forEach.call(document.querySelectorAll('.toc a[data-cb]'), function (a) {
      a.classList.toggle('done', !!store.ticks[a.getAttribute('data-cb')]);
    });
  }

  boxes.forEach(function (box) {
    box.addEventListener('change', function () {
      var at = utcNow();
      if (box.checked) {
        var by = whoTicks();
        store.ticks[box.id] = { at: at, by: by };
        store.log.push({ at: at, by: by, what: 'ticked', item: title(box) });
      } else {
        store.log.push({ at: at, by: initials() || '?', what: 'unticked', item: title(box) });
        delete store.ticks[box.id];
      }
      save();
      render();
    });
  });

  $('initials').value = initials();
  $('initials').addEventListener('change', function () { setInitials(this.value); });

  $('next').addEventListener('click', function () {
    var box = boxes.filter(function (b) { return !store.ticks[b.id]; })[0];
    if (!box) { return; }
    var li = item(box) || box;
    li.scrollIntoView({ block: 'start' });
    box.focus({ preventScroll: true });
  });

  $('reset').addEventListener('click', function () {
    var n = Object.keys(store.ticks).length;
    if (n === 0) { say('Nothing is ticked.'); return; }
    if (!window.confirm('Untick all ' + n + ' ticked items of this runbook in this browser? The tick log keeps a line for the reset.')) { return; }
    store.ticks = {};
    store.log.push({ at: utcNow(), by: initials() || '?', what: 'reset', item: 'all ticks removed' });
    save();
    render();
    say('All ticks removed.');
  });

  function pad(s, n) { s = String(s); while (s.length < n) { s += ' '; } return s; }
  function logText() {
    var lines = [
      'ABC failover tick log',
      'Pool id:  ' + pool,
      'Runbook:  restore-checklist-' + pool + '.md, SHA-256 ' + runbook,
      'Written:  ' + utcNow(),
      '',
      'Sign-off: every item, with who ticked it and when (UTC)',
      ''
    ];
    boxes.forEach(function (box) {
      var t = store.ticks[box.id];
      lines.push(pad(t ? t.at : 'not ticked', 21) + pad(t ? t.by : '', 8) + title(box));
    });
    lines.push('', 'Log: every tick, untick and reset, in order', '');
    store.log.forEach(function (e) {
      lines.push(pad(e.at, 21) + pad(e.by, 8) + pad(e.what, 10) + e.item);
    });
    return lines.join('\r\n') + '\r\n';
  }
  $('download').addEventListener('click', function () {
    var blob = new Blob([logText()], { type: 'text/plain;charset=utf-8' });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'tick-log-' + pool + '-' + utcNow().replace(/[-:]/g, '') + '.txt';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
    say('Tick log downloaded.');
  });

  function copyFallback(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'copy-buffer';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    return ok;
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (btn) {
    btn.addEventListener('click', function () {
      var code = $(btn.getAttribute('data-code'));
      var text = code ? code.textContent : '';
      function done(ok) {
        btn.textContent = ok ? 'Copied' : 'Copy failed';
        btn.classList.toggle('copied', ok);
        say(ok ? 'Copied ' + btn.getAttribute('aria-label').replace(/^Copy /, '') + '.' : 'Copying failed: select the text and press Ctrl+C.');
        setTimeout(function () { btn.textContent = 'Copy'; btn.classList.remove('copied'); }, 2000);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(copyFallback(text)); });
      } else {
        done(copyFallback(text));
      }
    });
  });

  // Another tab of the same runbook ticked something.
  window.addEventListener('storage', function (e) {
    if (e.key === KEY) { store = load(); render(); }
  });

  render();
}());
