// Progressive enhancement of the desk: every page works without this file.
// - /fiche: the identifier appears while the names are typed (POST, never a URL);
//   a page restored from the history is reset to what the server sent.
// - focus goes to the error summary or the result after a form was sent.
// - /session: the "working" page follows the batch; the check table sorts.
(function () {
  "use strict";

  function focusFirst() {
    var target = document.querySelector("[data-focus]");
    if (target && document.activeElement !== target) {
      target.focus();
    }
  }

  function liveIdentifier() {
    var form = document.getElementById("desk");
    var box = document.getElementById("live");
    if (!form || !box || !window.fetch || !window.FormData) {
      return;
    }
    var value = document.getElementById("live-identifier");
    var note = document.getElementById("live-note");
    var confirm = document.getElementById("live-confirm");
    var url = form.getAttribute("data-live-url");
    var timer = null;
    var sent = 0;

    function show(data) {
      value.textContent = data.identifier || "";
      value.hidden = !data.identifier;
      if (confirm) {
        confirm.textContent = data.to_confirm || "";
      }
      // With an identifier, the note (and a NUMEN warning, if any); without, why none yet.
      note.textContent = data.identifier ? [data.note, data.message].filter(Boolean).join(" ") : data.message;
    }

    function ask() {
      var number = ++sent;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && number === sent) {
          show(data);
        }
      }).catch(function () { /* the button still works without the live line */ });
    }

    // Back to this page from the browser's history: the fields show what the server sent (empty for
    // a new person), never what was typed for the person before.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        form.reset();
        ask();
      }
    });

    box.hidden = false;
    ["first_name", "last_name", "birth_name", "identifier"].forEach(function (name) {
      var input = document.getElementById(name);
      if (input) {
        input.addEventListener("input", function () {
          window.clearTimeout(timer);
          timer = window.setTimeout(ask, 150);
        });
      }
    });
    ask();
  }

  function sortableTables() {
    var tables = document.querySelectorAll("table[data-sortable]");
    Array.prototype.forEach.call(tables, function (table) {
      var headers = table.querySelectorAll("thead th");
      Array.prototype.forEach.call(headers, function (th, column) {
        var label = th.textContent.trim();
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        th.textContent = "";
        th.appendChild(button);
        th.setAttribute("aria-sort", th.getAttribute("data-sorted") || "none");
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[column].getAttribute("data-sort") || a.cells[column].textContent;
            var y = b.cells[column].getAttribute("data-sort") || b.cells[column].textContent;
            var nx = parseFloat(x), ny = parseFloat(y);
            var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "fr", { sensitivity: "base" });
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { row.classList.remove("group-start"); body.appendChild(row); });
        });
      });
    });
  }

  function followProgress() {
    var box = document.querySelector("[data-progress-url]");
    if (!box || !window.fetch) {
      return;
    }
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var url = box.getAttribute("data-progress-url");
    function poll() {
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) {
          return;
        }
        if (bar) {
          bar.max = data.total || 1;
          bar.value = data.done;
        }
        if (text) {
          text.textContent = data.text;
        }
        if (data.finished) {
          window.location.assign(data.next);
        } else {
          window.setTimeout(poll, 500);
        }
      }).catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 300);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusFirst();
    liveIdentifier();
    sortableTables();
    followProgress();
  });
}());
