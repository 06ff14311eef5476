// The phone's script: keeps a participant's page live.
//
// A participant's page is rendered on the server and every choice on it is
// a plain form that posts, so it works before this script arrives, or
// without it. This script makes the same page feel live on a cheap phone
// on bad Wi-Fi, for a few kilobytes instead of a WebAssembly build:
//
// - It follows the room over the WebSocket (`data-live` on <main>), from
//   the log position the page was rendered at, and fetches a fresh copy
//   when the room changes. Events are fetched for at once; totals (counts
//   of resonances, dots) at most every ten seconds. A fresh copy comes in
//   two parts: what every phone of the room sees (`data-shared`, rendered
//   once for the whole room and asked for with its ETag), and what is this
//   phone's own (`data-own`: its cards, its marks, the timer now), each
//   own part taking the place of the shared part with its id. The server
//   renders what the phone shows; nothing here knows how a step looks.
// - It sends the forms with fetch instead of leaving the page. A post
//   waits in an outbox kept in local storage until the server answers, and
//   is sent again after a reconnect or a reload: every form carries an id
//   or sets a value, so sending twice never stores twice.
// - It brings each fresh copy into the page by changing only what differs,
//   so what is being typed, focus, a screen reader's place, open panels
//   and choices not sent yet all stay; and it keeps half-written
//   reflections (with their form's id) in local storage across sleeps and
//   reloads.
// - It asks the server what changed since its last look (`?seen=`), and
//   lets the page's polite live region say it; it counts the timer down.
//
// Every word it shows is in the page, from the translation catalogue.
(function () {
  'use strict';

  var main = document.getElementById('main');
  if (!main || !main.dataset.live || !window.fetch || !window.WebSocket) return;

  var scope = main.dataset.draft;
  var DRAFT = 'hearth:draft:' + scope;
  var OUTBOX = 'hearth:outbox:' + scope;
  // How soon the page is fetched again after an event, and after totals.
  var SOON_MS = 50;
  var TOTALS_MS = 10000;
  var MAX_BACKOFF_MS = 15000;

  function $(selector) { return main.querySelector(selector); }

  // --- Local storage, which a private tab or a full phone may refuse ----

  function load(key, fallback) {
    try {
      var text = localStorage.getItem(key);
      return text ? JSON.parse(text) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* the words stay on the page, just not across a reload */ }
  }

  // --- What the phone says -------------------------------------------------

  function say(word) {
    var line = $('.feedback');
    if (line && word !== undefined) line.textContent = word;
  }
  function words(name) {
    var line = $('.feedback');
    return line ? line.dataset[name] : undefined;
  }
  function status(state) {
    var banner = $('.link-status');
    if (!banner) return;
    banner.dataset.status = state;
    banner.textContent = state === 'live' ? '' : banner.dataset[state] || '';
  }

  // --- Half-written reflections ---------------------------------------------

  function reflectForm() { return $('form.reflect'); }
  // The reflection form's own id field: what its post is known by.
  function formId(form) { return form.querySelector('input[name="id"]'); }

  // A new id for a post (128 random bits, as the server makes them).
  function freshId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function keepDraft() {
    var form = reflectForm();
    if (!form) return;
    var text = form.querySelector('#reflection');
    var away = form.querySelector('#away');
    var draft = { id: formId(form).value, text: text ? text.value : '', from: away ? away.value : '' };
    store(DRAFT, draft.text || draft.from ? draft : null);
  }

  // Each form's id, kept across fresh copies: the part every phone shares
  // comes without ids, and a form keeps the one it had until it is sent.
  var ids = {};
  function giveId(form, id) {
    formId(form).value = id;
    ids[form.getAttribute('id') || ''] = id;
  }
  function giveIds() {
    Array.prototype.forEach.call(main.querySelectorAll('form input[name="id"]'), function (input) {
      var key = input.form.getAttribute('id') || '';
      if (input.value) ids[key] = input.value;
      else giveId(input.form, ids[key] || freshId());
    });
  }

  function restoreDraft() {
    var form = reflectForm();
    var draft = load(DRAFT, null);
    if (!form || !draft || typeof draft.id !== 'string') return;
    giveId(form, draft.id);
    var text = form.querySelector('#reflection');
    var away = form.querySelector('#away');
    if (text && !text.value && draft.text) text.value = draft.text;
    if (away && !away.value && draft.from) away.value = draft.from;
    count();
  }

  function count() {
    var text = $('#reflection');
    var line = $('#reflection-count');
    if (!text || !line || !line.dataset.fill) return;
    var max = Number(text.getAttribute('maxlength')) || 0;
    var left = Math.max(0, max - Array.from(text.value).length);
    line.textContent = line.dataset.fill.replace('{n}', String(left));
  }

  // --- A fresh copy of the page ---------------------------------------------

  // Brings `old` to look like `fresh` (a node of the fresh copy), changing
  // only what differs. Unchanged nodes stay the very same nodes, so focus,
  // the caret, a screen reader's place, what is being typed and choices
  // not sent yet all survive: the browser keeps a field's own value once
  // someone has changed it, whatever its default becomes. Children with an
  // id (the page's main parts, the cards) are matched by id, so a part or
  // a card arriving in the middle moves the others instead of rewriting
  // them, and a node is never taken for another. An open or closed panel
  // stays as the person left it.
  function morph(old, fresh) {
    if (old.nodeType !== 1) {
      if (old.nodeValue !== fresh.nodeValue) old.nodeValue = fresh.nodeValue;
      return;
    }
    // The link's status, the feedback line and the live region: the same
    // nodes always, so screen readers hear their news; they take new words
    // only when there are some (the script writes the link's own), and the
    // feedback line lets go of its words when the room moves to another
    // step: "Received" under a new prompt would say it was answered.
    if (old.hasAttribute('data-keep')) {
      var moved = old.getAttribute('data-step') !== fresh.getAttribute('data-step');
      Array.prototype.forEach.call(fresh.attributes, function (a) {
        if (a.name !== 'data-status' && old.getAttribute(a.name) !== a.value) old.setAttribute(a.name, a.value);
      });
      if (old.dataset.keep !== 'link' && (moved || fresh.textContent.trim())) old.textContent = fresh.textContent;
      return;
    }
    var keepOpen = old.tagName === 'DETAILS';
    Array.prototype.slice.call(old.attributes).forEach(function (a) {
      if (!fresh.hasAttribute(a.name) && !(keepOpen && a.name === 'open')) old.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(fresh.attributes, function (a) {
      if (old.getAttribute(a.name) !== a.value && !(keepOpen && a.name === 'open')) old.setAttribute(a.name, a.value);
    });
    var o = old.firstChild;
    var f = fresh.firstChild;
    while (f) {
      var next = f.nextSibling;
      if (o && same(o, f)) {
        morph(o, f);
        o = o.nextSibling;
      } else {
        var key = idOf(f);
        var match = key ? document.getElementById(key) : null;
        // The same id on another kind of element (a map story's "Place it"
        // link becoming its form) is a new element, not a changed one.
        if (match && match.nodeName !== f.nodeName) match = null;
        if (match && match.parentNode === old) {
          // Drop what stands before it and is not in the fresh copy,
          // rather than move it (moving a node takes the focus from it).
          while (o && o !== match && !(idOf(o) && hasChild(fresh, idOf(o)))) {
            var dropped = o;
            o = o.nextSibling;
            old.removeChild(dropped);
          }
          if (o === match) o = match.nextSibling;
          else old.insertBefore(match, o);
          morph(match, f);
        } else {
          old.insertBefore(f, o);
        }
      }
      f = next;
    }
    while (o) {
      var gone = o;
      o = o.nextSibling;
      old.removeChild(gone);
    }
  }

  // Whether `parent` still has a child with this id.
  function hasChild(parent, id) {
    for (var c = parent.firstElementChild; c; c = c.nextElementSibling) {
      if (c.getAttribute('id') === id) return true;
    }
    return false;
  }

  function same(a, b) {
    return a.nodeType === b.nodeType && a.nodeName === b.nodeName &&
      idOf(a) === idOf(b);
  }

  // An element's id. Not `.id`: a form with a field named "id" (the
  // reflection form's) answers `.id` with that field.
  function idOf(node) {
    return node.nodeType === 1 ? node.getAttribute('id') : null;
  }

  // The <main> of a whole page (its HTML), as the server renders it for a
  // phone without this script.
  function wholeMain(html) {
    return new DOMParser().parseFromString(html, 'text/html').getElementById('main');
  }

  // A fresh copy of the page from its two parts (`data-shared`,
  // `data-own`): what every phone of the room sees, and what is this
  // phone's own. Each own part takes the place of the shared part with its
  // id; the server says which they are. What a part already said (its
  // news, the last post's feedback) is not said a second time.
  function compose(sharedHtml, ownHtml, sharedSaid, ownSaid) {
    var page = new DOMParser().parseFromString(sharedHtml, 'text/html');
    var fresh = page.getElementById('main');
    if (!fresh) throw new Error('later');
    var announcer = page.getElementById('announcer');
    if (announcer && sharedSaid) announcer.textContent = '';
    var own = new DOMParser().parseFromString(ownHtml, 'text/html').getElementById('own');
    if (own) {
      ownStamp = own.getAttribute('data-stamp');
      var feedback = own.querySelector('#feedback');
      if (feedback && ownSaid) feedback.textContent = '';
      Array.prototype.slice.call(own.children).forEach(function (part) {
        var id = part.getAttribute('id');
        var at = id ? page.getElementById(id) : null;
        if (at) at.parentNode.replaceChild(page.importNode(part, true), at);
      });
    }
    return fresh;
  }

  // Puts a fresh copy of the page (its <main>) in place of this one; `age`
  // is how long ago the server made it (ms), for the timer.
  function swap(fresh, age) {
    if (!fresh) return;
    morph(main, fresh);
    ready(age);
  }

  var fetching = false;
  var again = false;
  var due = 0;
  var timer = null;

  // Asks for a fresh copy within `ms`, sooner if one is already due sooner.
  function soon(ms) {
    var at = Date.now() + ms;
    if (timer && due <= at) return;
    clearTimeout(timer);
    due = at;
    timer = setTimeout(function () { timer = null; refresh(); }, ms);
  }

  // The shared part as last received, its ETag, and whether its news has
  // been said; this phone's own part as last received, what it was made
  // for (`data-stamp`), and whether its feedback has been said. The own
  // part is asked for only when something of this phone's may have
  // changed: at first, after a link comes back, when an event names one of
  // its cards, and when the shared part's stamp differs from the own
  // part's (a new step, a step changed, the end). A post brings it anyway.
  var sharedHtml = null;
  var sharedTag = null;
  var sharedSaid = false;
  var ownHtml = null;
  var ownStamp = null;
  var ownSaid = false;
  var needOwn = true;
  // The phone's own part a post came back with, for the next copy.
  var ownFromPost = null;
  // What the own part is asked for with (`data-own-query` of the last link
  // taken, e.g. the map's "Place it": the mini-map comes with the own part).
  var ownQuery = '';
  // A part the server would not give (the gathering is gone, or locked):
  // the whole page says why.
  var WHOLE = new Error('whole');

  function partText(response) {
    // A server that is starting or struggling: keep the page as it is.
    if (response.status >= 500) throw new Error('later');
    if (!response.ok) throw WHOLE;
    return response.text();
  }

  // Whether a message from the room names one of this phone's cards.
  function namesMine(text) {
    var own = main.querySelectorAll('#mine [id^="own-"]');
    for (var i = 0; i < own.length; i++) {
      if (text.indexOf(own[i].getAttribute('id').slice(4)) >= 0) return true;
    }
    return false;
  }

  function refresh() {
    if (fetching) { again = true; return Promise.resolve(); }
    fetching = true;
    var own = ownFromPost;
    ownFromPost = null;
    var announcer = $('[data-testid="announcer"]');
    var glance = announcer && announcer.dataset.glance ? announcer.dataset.glance : '';
    var since = posts;
    function whole() {
      var query = glance ? '?seen=' + encodeURIComponent(glance) : '';
      return fetch(location.pathname + query, { cache: 'no-store', credentials: 'same-origin' })
        .then(function (response) {
          // A gathering that has ended or is gone has a page saying so.
          if (response.status >= 500) throw new Error('later');
          return response.text();
        })
        .then(function (html) { return { main: wholeMain(html), age: 0 }; });
    }
    var copy;
    if (main.dataset.shared && main.dataset.own) {
      var asking = own === null && (needOwn || ownHtml === null);
      needOwn = false;
      var headers = {};
      if (sharedTag && sharedHtml !== null) headers['If-None-Match'] = sharedTag;
      // `at`: the newest event this phone was told of; a node behind
      // another waits until it has it too.
      var shared = fetch(main.dataset.shared + '?seen=' + encodeURIComponent(glance) +
        '&at=' + encodeURIComponent(main.dataset.seq || ''),
        { cache: 'no-store', credentials: 'same-origin', headers: headers })
        .then(function (response) {
          if (response.status >= 500) throw new Error('later');
          var age = Number(response.headers.get('Hearth-Age')) || 0;
          if (response.status === 304) return { html: sharedHtml, age: age, same: true };
          if (!response.ok) throw WHOLE;
          var tag = response.headers.get('ETag');
          return response.text().then(function (html) { return { html: html, tag: tag, age: age, same: false }; });
        });
      var askOwn = function () {
        var url = main.dataset.own + (ownQuery ? '?' + ownQuery : '');
        return fetch(url, { cache: 'no-store', credentials: 'same-origin' }).then(partText);
      };
      var mine = own !== null ? Promise.resolve(own) : asking ? askOwn() : Promise.resolve(null);
      copy = Promise.all([shared, mine])
        .then(function (parts) {
          var got = parts[0];
          // Nothing new on either side: the page stays as it is.
          if (got.same && parts[1] === null) return null;
          if (!got.same) {
            sharedHtml = got.html;
            sharedTag = got.tag;
            sharedSaid = false;
          }
          if (parts[1] !== null) {
            ownHtml = parts[1];
            ownSaid = false;
          }
          var said = sharedSaid;
          var fresh = compose(sharedHtml, ownHtml, said, ownSaid);
          var done = function (main) {
            sharedSaid = ownSaid = true;
            return { main: main, age: got.age };
          };
          if (fresh.getAttribute('data-stamp') === ownStamp) return done(fresh);
          // The own part was made for another step, or before the end: it
          // is asked for before the page changes (once more, after, if the
          // two crossed with a change of the room).
          if (parts[1] !== null) { needOwn = true; again = true; return done(fresh); }
          asking = true;
          return askOwn().then(function (html) {
            ownHtml = html;
            ownSaid = false;
            return done(compose(sharedHtml, ownHtml, said, false));
          });
        })
        .catch(function (e) {
          if (asking) needOwn = true;
          if (e === WHOLE) return whole();
          throw e;
        });
    } else {
      copy = whole();
    }
    return copy
      .then(function (fresh) {
        if (!fresh) return;
        // A post answered meanwhile brings a newer copy than this one.
        if (posts === since) return swap(fresh.main, fresh.age);
        again = true;
      })
      .catch(function () { /* the link says it is reconnecting; the next event tries again */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  // --- The live link ----------------------------------------------------------

  var socket = null;
  var attempt = 0;
  var retry = null;

  function connect() {
    clearTimeout(retry);
    retry = null;
    // A page without a live link (the gathering has ended) has nothing to follow.
    if (!main.dataset.live) return status('live');
    if (socket) { socket.onclose = null; socket.close(); }
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var url = scheme + location.host + main.dataset.live +
      '?epoch=' + main.dataset.epoch + '&seq=' + main.dataset.seq;
    try {
      socket = new WebSocket(url);
    } catch (e) {
      return later();
    }
    socket.onopen = function () {
      var back = attempt > 0;
      attempt = 0;
      status('live');
      send();
      // Away for a while: anything of this phone's may have changed.
      if (back) { needOwn = true; soon(SOON_MS); }
    };
    socket.onmessage = function (message) {
      var msg;
      try { msg = JSON.parse(message.data); } catch (e) { return; }
      if (msg.type === 'event') {
        main.dataset.seq = String(msg.seq);
        if (namesMine(message.data)) needOwn = true;
        soon(SOON_MS);
      } else if (msg.type === 'snapshot') {
        needOwn = true;
        soon(SOON_MS);
      } else if (msg.type === 'totals') {
        soon(TOTALS_MS);
      } else if (msg.type === 'group') {
        // This phone's small group changed (its board, or who is in it):
        // the server sends it to the group's own phones alone, so this one
        // looks again, even when it was just moved from another group.
        needOwn = true;
        soon(SOON_MS);
      }
    };
    socket.onclose = function (event) {
      socket = null;
      // Turned away for good (the gathering ended, joining is locked):
      // the page from the server says why.
      if (event.code === 4000 && event.reason !== 'unavailable') {
        status('live');
        return refresh();
      }
      status('reconnecting');
      later();
    };
  }

  function later() {
    if (retry) return;
    attempt += 1;
    var wait = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
    retry = setTimeout(connect, wait);
  }

  // A phone that wakes up or finds its network again tries at once.
  function wake() {
    if (document.visibilityState === 'hidden') return;
    if (!socket) connect();
    send();
  }

  // --- Sending the forms ------------------------------------------------------

  var outbox = load(OUTBOX, []);
  if (!Array.isArray(outbox)) outbox = [];
  var posting = false;
  // How many posts have been answered with a fresh copy of the page.
  var posts = 0;

  function post(form, button) {
    var data = new FormData(form);
    if (button && button.name) data.append(button.name, button.value);
    var body = new URLSearchParams(data).toString();
    var reflection = form.classList.contains('reflect') ? String(data.get('id')) : null;
    outbox.push({ to: form.getAttribute('action'), body: body, reflection: reflection });
    store(OUTBOX, outbox);
    say(words('sending'));
    send();
  }

  function send() {
    if (posting || !outbox.length) return;
    posting = true;
    var item = outbox[0];
    fetch(item.to, {
      method: 'POST',
      body: item.body,
      credentials: 'same-origin',
      // Answer with this phone's own part: the script brings in the rest.
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Hearth-Parts': '1' }
    }).then(function (response) {
      // The server is back but busy or starting: keep it for the next try.
      if (response.status >= 500 || response.status === 429) throw new Error('later');
      outbox.shift();
      store(OUTBOX, outbox);
      // Whatever the phone had opened (a mini-map) was for this post.
      ownQuery = '';
      var landed = new URL(response.url);
      return response.text().then(function (html) {
        posts += 1;
        // Sent back to the whole page (the gathering is gone): it says why.
        if (landed.pathname === location.pathname) return swap(wholeMain(html), 0);
        // A reflection is stored: the form is cleared for the next one.
        if (item.reflection && landed.searchParams.get('done') === 'received') {
          var draft = load(DRAFT, null);
          if (draft && draft.id === item.reflection) store(DRAFT, null);
          var form = reflectForm();
          if (form && formId(form).value === item.reflection) {
            form.reset();
            // Resetting brings back the page's id, the one just stored: words
            // written before the fresh page arrives must go out under an id
            // of their own, or the server takes them for a resend and keeps
            // only the first.
            giveId(form, freshId());
            count();
          }
        }
        // Written on a small group's board: its box is cleared for the next.
        if (landed.searchParams.get('done') === 'group' && /(^|&)do=(write|note)(&|$)/.test(item.body)) {
          var boxes = main.querySelectorAll('.group-write textarea, .group-note input[name="text"]');
          Array.prototype.forEach.call(boxes, function (box) { box.value = ''; });
        }
        ownFromPost = html;
        return refresh();
      });
    }).then(function () {
      posting = false;
      send();
    }, function () {
      posting = false;
      setTimeout(send, 3000);
    });
  }

  // --- Wiring -----------------------------------------------------------------

  // What each fresh copy of the page needs; `age` is how long ago the
  // server made it (ms), for the timer.
  function ready(age) {
    Array.prototype.forEach.call(main.querySelectorAll('[data-pass]'), function (b) { b.hidden = false; });
    Array.prototype.forEach.call(main.querySelectorAll('[data-no-script]'), function (b) { b.hidden = true; });
    giveIds();
    restoreDraft();
    count();
    shown = Date.now() - (age || 0);
    tick();
  }

  // The timer counts down from what the page said when it came.
  var shown = Date.now();
  function tick() {
    var clock = $('.timer[data-left]');
    if (!clock || clock.dataset.state !== 'running') return;
    var left = Number(clock.dataset.left) - (Date.now() - shown);
    var text = Array.prototype.find.call(clock.childNodes, function (n) { return n.nodeType === Node.TEXT_NODE; });
    if (left <= 0) {
      clock.dataset.state = 'done';
      clock.textContent = clock.dataset.done;
      return;
    }
    var seconds = Math.ceil(left / 1000);
    var shownText = Math.floor(seconds / 60) + ':' + String(seconds % 60).padStart(2, '0');
    if (text) text.nodeValue = shownText;
  }

  main.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.method !== 'post') return;
    event.preventDefault();
    post(form, event.submitter || pressed);
    pressed = null;
  });

  main.addEventListener('input', function (event) {
    var el = event.target;
    if (el.id === 'reflection' || el.id === 'away') {
      keepDraft();
      count();
    }
    if (el.type === 'range' && el.dataset.left) {
      var n = Number(el.value);
      var middle = Number(el.max) / 2;
      el.setAttribute('aria-valuetext', n + ', ' + (n < middle ? el.dataset.left : el.dataset.right));
    }
  });
  // Words pasted or dropped into a box too small for them: the browser
  // keeps what fits and drops the rest without a word, so the phone says
  // how much was left out.
  main.addEventListener('beforeinput', function (event) {
    var el = event.target;
    if (el.id !== 'reflection' && el.id !== 'away') return;
    var max = Number(el.getAttribute('maxlength')) || 0;
    var incoming = event.data || (event.dataTransfer && event.dataTransfer.getData('text/plain')) || '';
    if (!max || !incoming) return;
    var kept = Array.from(el.value).length - Array.from(el.value.slice(el.selectionStart, el.selectionEnd)).length;
    var over = kept + Array.from(incoming).length - max;
    if (over > 0 && words('cut')) say(words('cut').replace('{n}', String(over)));
  });
  main.addEventListener('change', function (event) {
    var el = event.target;
    // A form that needs no button (a tag): the choice is the sending.
    if (el.form && el.form.hasAttribute('data-send-on-change') && main.contains(el.form)) {
      post(el.form, null);
    }
  });

  // The button a form was sent with, for browsers that do not say.
  var pressed = null;
  main.addEventListener('click', function (event) {
    pressed = event.target.closest('button[type=submit]');
    // A link that opens something of the phone's own (the map's "Place
    // it"): only the own part is asked for again, with the link's query,
    // and the first control of what it opened gets the focus.
    var opens = event.target.closest('a[data-own-query]');
    if (opens && main.dataset.own) {
      event.preventDefault();
      ownQuery = opens.dataset.ownQuery;
      needOwn = true;
      var at = (opens.getAttribute('href') || '').split('#')[1];
      refresh().then(function () {
        var el = at && document.getElementById(at);
        var first = el && el.querySelector('.spot, select, button');
        if (!first) return;
        el.scrollIntoView({ block: 'nearest' });
        first.focus();
      });
      return;
    }
    var pass = event.target.closest('[data-pass]');
    if (!pass) return;
    var form = reflectForm();
    if (form) {
      ['reflection', 'away'].forEach(function (id) {
        var el = form.querySelector('#' + id);
        if (el) el.value = '';
      });
    }
    store(DRAFT, null);
    count();
    say(words('passed'));
  });

  window.addEventListener('online', wake);
  document.addEventListener('visibilitychange', wake);
  setInterval(tick, 500);

  status('connecting');
  ready();
  connect();
  send();
})();
