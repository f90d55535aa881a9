/* Communes suggested as the visitor types a place (templates/map/_place_field.html): a WAI-ARIA
   combobox over /api/places/suggest. Arrow keys move in the list, Enter or a tap chooses (the
   field then holds "Saint-Denis (93)" and the search is sent), Escape closes. The texts come from
   the page; names come from the gazetteer and are written with textContent only. Without this
   script the field is a plain text field. */
(function () {
  "use strict";
  var DELAY_MS = 150;
  var MIN_CHARS = 2;
  var box = document.querySelector(".field-place[data-suggest-url]");
  var input = box && box.querySelector("input[name=q]");
  var holder = box && box.querySelector(".combobox");
  if (!input || !holder || typeof window.fetch !== "function") {
    return;
  }
  var form = input.form;
  var list = document.createElement("ul");
  var status = document.createElement("p");
  var label = box.querySelector("label");
  var found = [];
  var active = -1;
  var timer = null;
  var pending = null;
  var kept = {};

  list.id = input.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  if (label) {
    label.id = label.id || input.id + "-label";
    list.setAttribute("aria-labelledby", label.id);
  }
  list.hidden = true;
  holder.appendChild(list);
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  box.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open() {
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function highlight(index) {
    var options = list.children;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({block: "nearest"});
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var chosen = found[index];
    if (!chosen) {
      return;
    }
    input.value = chosen.query;
    close();
    if (form && typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else if (form) {
      form.submit();
    }
  }

  function option(suggestion, index) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    var area = document.createElement("span");
    var where = [suggestion.department_name];
    if (suggestion.region && suggestion.region !== suggestion.department_name) {
      where.push(suggestion.region);
    }
    var codes = (suggestion.postcodes || []).slice(0, 3).join(", ");
    if ((suggestion.postcodes || []).length > 3) {
      codes += "…";
    }
    item.id = list.id + "-" + index;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    name.className = "suggestion-name";
    name.textContent = suggestion.query;
    area.className = "suggestion-area";
    area.textContent = (codes ? codes + " · " : "") + where.join(", ");
    item.appendChild(name);
    item.appendChild(area);
    // Keep the focus in the field while the pointer is down, so that blur does not close first.
    item.addEventListener("mousedown", function (event) { event.preventDefault(); });
    item.addEventListener("click", function () { choose(index); });
    return item;
  }

  function show(suggestions, text) {
    found = suggestions;
    list.textContent = "";
    suggestions.forEach(function (suggestion, index) { list.appendChild(option(suggestion, index)); });
    highlight(-1);
    if (suggestions.length && document.activeElement === input) {
      open();
      status.textContent = box.dataset.suggestSome || "";
    } else {
      close();
      status.textContent = text.length >= MIN_CHARS ? box.dataset.suggestNone || "" : "";
    }
  }

  function ask() {
    var text = input.value.trim();
    if (pending) {
      pending.abort(); // an answer to an older text must not replace a newer one
      pending = null;
    }
    if (text.length < MIN_CHARS) {
      show([], text);
      return;
    }
    if (kept[text]) {
      show(kept[text], text);
      return;
    }
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    pending = controller;
    fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(text), {
      headers: {Accept: "application/json"}, signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : {suggestions: []};
    }).then(function (data) {
      kept[text] = Array.isArray(data.suggestions) ? data.suggestions : [];
      if (input.value.trim() === text) {
        show(kept[text], text);
      }
    }).catch(function (error) {
      if (!error || error.name !== "AbortError") {
        close(); // offline or failing: the plain field still works
      }
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) {
        return;
      }
      event.preventDefault();
      if (list.hidden) {
        open();
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = active + step;
      highlight(next < 0 ? found.length - 1 : next >= found.length ? 0 : next);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault(); // a search field would also clear itself
        close();
      }
    }
  });
  input.addEventListener("blur", close);
})();
