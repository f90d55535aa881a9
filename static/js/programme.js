/* Stars: the sessions a visitor keeps for "Mon programme", stored in this browser (no account),
   as a JSON list of session ids under one localStorage key. Also: the programme page follows
   the stars, and "copy the address" buttons. Without JavaScript, the buttons stay hidden. */
(function () {
  "use strict";
  var KEY = "opengen.stars";
  // Texts come from the script tag's data attributes (templates/programme/_script_texts.html).
  var texts = (document.currentScript && document.currentScript.dataset) || {};
  var MAX = Number(texts.max) || 200;
  function say(name, values) {
    var text = texts[name] || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(String(values[key])); });
    return text;
  }
  var store;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch (error) {
    return; // storage refused (private mode, settings): no stars, the pages still work
  }

  function read() {
    var raw;
    try { raw = JSON.parse(store.getItem(KEY) || "[]"); } catch (error) { raw = []; }
    if (!Array.isArray(raw)) { raw = []; }
    var seen = {};
    var ids = [];
    raw.forEach(function (value) {
      var id = Number(value);
      if (Number.isInteger(id) && id > 0 && !seen[id]) { seen[id] = true; ids.push(id); }
    });
    return ids.slice(0, MAX);
  }

  function write(ids) {
    try { store.setItem(KEY, JSON.stringify(ids)); } catch (error) { /* full or refused */ }
  }

  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.appendChild(announcer);

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function parseIds(text) {
    return (text || "").split(",").map(Number).filter(function (id) {
      return Number.isInteger(id) && id > 0;
    });
  }

  function sameSet(a, b) {
    if (a.length !== b.length) { return false; }
    return a.every(function (id) { return b.indexOf(id) !== -1; });
  }

  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-star]"));

  function showState() {
    var ids = read();
    buttons.forEach(function (button) {
      var id = Number(button.dataset.star);
      button.setAttribute("aria-pressed", ids.indexOf(id) !== -1 ? "true" : "false");
      button.hidden = false;
    });
  }

  // The programme page shows the ids of its address; when those are this browser's stars, it
  // follows them (a star removed there disappears); a programme received by a link stays put.
  var page = document.getElementById("programme");
  var pageUrl = page ? page.dataset.pageUrl : null;
  var mine = false;
  if (page) {
    var stars = read();
    var shown = parseIds(page.dataset.ids);
    if (!new URLSearchParams(window.location.search).has("ids") && stars.length) {
      window.location.replace(pageUrl + "?ids=" + stars.join(","));
      return;
    }
    mine = sameSet(shown, stars);
  }

  function changed(ids) {
    if (mine) {
      window.location.replace(pageUrl + (ids.length ? "?ids=" + ids.join(",") : ""));
    }
  }

  function bindStar(button) {
    button.addEventListener("click", function () {
      var id = Number(button.dataset.star);
      var ids = read();
      var at = ids.indexOf(id);
      if (at !== -1) {
        ids.splice(at, 1);
        announce(say("removed"));
      } else if (ids.length >= MAX) {
        announce(say("full"));
        return;
      } else {
        ids.push(id);
        announce(say("added"));
      }
      write(ids);
      showState();
      changed(ids);
    });
  }
  buttons.forEach(function (button) { button.dataset.bound = "1"; bindStar(button); });
  // The home page's list is updated in place (home.js): its new buttons join the others.
  document.addEventListener("opengen:resultschange", function () {
    buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-star]"));
    buttons.forEach(function (button) {
      if (!button.dataset.bound) { button.dataset.bound = "1"; bindStar(button); }
    });
    showState();
  });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-unstar]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var gone = parseIds(button.dataset.unstar);
      var ids = read().filter(function (id) { return gone.indexOf(id) === -1; });
      write(ids);
      button.hidden = true;
      announce(say("removedMany"));
      showState();
      changed(ids);
    });
  });

  // « Retirer » next to a clash: on this browser's own programme, drop the star and follow; on a
  // list received by a link, the link itself shows the list without that session.
  Array.prototype.forEach.call(document.querySelectorAll("a[data-drop]"), function (link) {
    link.addEventListener("click", function (event) {
      if (!mine) { return; }
      event.preventDefault();
      var gone = Number(link.dataset.drop);
      var ids = read().filter(function (id) { return id !== gone; });
      write(ids);
      changed(ids);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-needs-js]"), function (node) {
    node.hidden = false;
  });

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var input = document.getElementById(button.dataset.copy);
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var done = function () { announce(say("copied")); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          announce(say("copyFailed"));
        });
      } else {
        announce(say("copySelected"));
      }
    });
  });

  // A list received by a link (a counsellor's, a friend's) offers to keep its sessions in this
  // browser's programme: added to the stars already kept, never replacing them.
  var offer = document.getElementById("keep-offer");
  var keepButton = document.getElementById("keep-button");
  if (offer && keepButton && !mine) {
    var offered = parseIds(offer.dataset.keep);
    var notKept = function () {
      var ids = read();
      return offered.filter(function (id) { return ids.indexOf(id) === -1; });
    };
    if (notKept().length) {
      offer.hidden = false;
      keepButton.addEventListener("click", function () {
        var ids = read();
        var added = notKept();
        var room = Math.max(MAX - ids.length, 0);
        var message = added.length > room ? say("limited", { room: room, asked: added.length }) : "";
        added = added.slice(0, room);
        write(ids.concat(added));
        offer.hidden = true;
        var done = document.getElementById("keep-done");
        if (done) {
          done.hidden = false;
          done.setAttribute("tabindex", "-1");
          done.focus();
        }
        announce(message || (added.length > 1 ? say("addedMany", { num: added.length }) : say("added")));
        showState();
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  showState();
}());
