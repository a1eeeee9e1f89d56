// Ingest Routes console: polls /console/api/flow and /v1/dead-letters; replays through the admin API.
// Every value from the server is put in the page with textContent: payloads are untrusted input.
(function () {
  'use strict';
  var POLL_SECONDS = 2;
  var PAGE = 50;
  var previous = null;
  var beforeId = null;

  function cell(row, text, cls) {
    var td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '–' : String(text);
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function rate(now, before, pick) {
    if (!before) { return '–'; }
    var seconds = (now.at - before.at) / 1000;
    if (seconds <= 0) { return '–'; }
    return ((pick(now) - pick(before)) / seconds).toFixed(1);
  }

  function sum(events) {
    var total = 0;
    Object.keys(events || {}).forEach(function (k) { total += events[k]; });
    return total;
  }

  function renderFlow(flow) {
    var body = document.querySelector('#flow tbody');
    body.textContent = '';
    Object.keys(flow.sources).forEach(function (name) {
      var s = flow.sources[name];
      var before = previous && previous.sources[name] ? { at: previous.at, s: previous.sources[name] } : null;
      var now = { at: flow.at, s: s };
      var row = document.createElement('tr');
      row.dataset.source = name;
      cell(row, name);
      cell(row, s.queue);
      cell(row, s.queue_depth === null || s.queue_depth < 0 ? '–' : s.queue_depth, 'num depth');
      cell(row, rate(now, before, function (x) { return sum(x.s.events); }), 'num');
      cell(row, rate(now, before, function (x) { return x.s.rows; }), 'num');
      ['success', 'duplicate', 'invalid', 'dead'].forEach(function (status) {
        cell(row, s.events[status] || 0, 'num ' + status);
      });
      body.appendChild(row);
    });
    previous = flow;
  }

  function status(text, ok) {
    var el = document.getElementById('status');
    el.textContent = text;
    el.className = ok ? 'ok' : 'bad';
  }

  function message(text) {
    document.getElementById('message').textContent = text;
  }

  function pollFlow() {
    fetch('/console/api/flow', { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) { throw new Error('flow: HTTP ' + r.status); } return r.json(); })
      .then(function (flow) { renderFlow(flow); status('live · ' + new Date(flow.at).toISOString(), true); })
      .catch(function (e) { status(e.message, false); });
  }

  function filterParams() {
    var form = document.getElementById('filters');
    var params = new URLSearchParams();
    ['source', 'error_type'].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) { params.set(name, v); }
    });
    if (form.elements.pending.checked) { params.set('replayed', 'false'); }
    params.set('limit', String(PAGE));
    return params;
  }

  function loadDeadLetters(append) {
    var params = filterParams();
    if (append && beforeId) { params.set('before_id', beforeId); }
    fetch('/v1/dead-letters?' + params.toString(), { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { throw new Error('dead letters: HTTP ' + r.status); }
        beforeId = r.headers.get('X-Next-Before-Id');
        document.getElementById('older').disabled = !beforeId;
        return r.json();
      })
      .then(function (list) { renderDeadLetters(list, append); })
      .catch(function (e) { message(e.message); });
  }

  function renderDeadLetters(list, append) {
    var body = document.querySelector('#dead-letters tbody');
    if (!append) { body.textContent = ''; }
    list.forEach(function (d) {
      var row = document.createElement('tr');
      row.id = 'dl-' + d.id;
      row.dataset.id = d.id;
      cell(row, d.id, 'num');
      cell(row, d.failedAt);
      cell(row, d.source);
      cell(row, d.queue);
      cell(row, d.errorType, 'error-type');
      cell(row, d.errorMessage, 'error');
      cell(row, d.attempts, 'num');
      cell(row, d.payload && d.payload.length > 300 ? d.payload.substring(0, 300) + '…' : d.payload, 'payload');
      cell(row, d.replayedAt || 'no', 'replayed');
      var actions = cell(row, '');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'replay';
      button.textContent = 'replay';
      button.addEventListener('click', function () { replay(d.id, button); });
      actions.appendChild(button);
      body.appendChild(row);
    });
  }

  function post(url) {
    return fetch(url, { method: 'POST', credentials: 'same-origin' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) { throw new Error(json.error || ('HTTP ' + r.status)); }
        return json;
      });
    });
  }

  function replay(id, button) {
    button.disabled = true;
    post('/v1/dead-letters/' + encodeURIComponent(id) + '/replay')
      .then(function () {
        message('replayed #' + id);
        var row = document.getElementById('dl-' + id);
        if (row) { row.querySelector('.replayed').textContent = 'just now'; }
      })
      .catch(function (e) { button.disabled = false; message('replay #' + id + ' failed: ' + e.message); });
  }

  function replayAll() {
    var source = document.getElementById('filters').elements.source.value.trim();
    if (!source) { message('name a source to replay all of its dead letters'); return; }
    post('/v1/dead-letters/replay?source=' + encodeURIComponent(source))
      .then(function (json) { message('replayed ' + json.replayed + ' of ' + source); loadDeadLetters(false); })
      .catch(function (e) { message('replay of ' + source + ' failed: ' + e.message); });
  }

  document.getElementById('interval').textContent = String(POLL_SECONDS);
  document.getElementById('filters').addEventListener('submit', function (e) { e.preventDefault(); loadDeadLetters(false); });
  document.getElementById('replay-all').addEventListener('click', replayAll);
  document.getElementById('older').addEventListener('click', function () { loadDeadLetters(true); });
  pollFlow();
  loadDeadLetters(false);
  setInterval(pollFlow, POLL_SECONDS * 1000);
}());
