/// `/static/forms.js`: a live character count under each long text field (`textarea[data-limit]`),
/// and on the report form the open tickets that are probably the same problem (``FollowSection``).
///
/// Why: the limit used to be a `maxlength`, and a browser cuts a longer paste at it without a
/// word (issue 20: 20,000 characters pasted, 5,000 kept). Now the field says its limit in its
/// hint, this script counts as the person types and says how much is over, and the server
/// refuses an over-long text with the text kept. Without JavaScript the hint and the server's
/// answer remain. The count is not a live region: a count per keystroke would drown a screen
/// reader; the hint (read with the field) says the limit.
enum FormsScript {
    static let source = """
    (function () {
      "use strict";
      var fields = document.querySelectorAll("textarea[data-limit]");
      Array.prototype.forEach.call(fields, function (field) {
        var out = document.getElementById(field.getAttribute("data-count"));
        var limit = parseInt(field.getAttribute("data-limit"), 10);
        if (!out || !limit) { return; }
        function update() {
          // Code points, as near to the server's count of characters as a script gets cheaply.
          var used = Array.from(field.value.trim()).length;
          var over = used - limit;
          out.textContent = over > 0
            ? over.toLocaleString("en") + " characters too many: please shorten it to " + limit.toLocaleString("en") + "."
            : used.toLocaleString("en") + " of " + limit.toLocaleString("en") + " characters used.";
          out.className = over > 0 ? "hint counter over" : "hint counter";
        }
        field.addEventListener("input", update);
        update();
      });
      // "Probably the same problem" while a report is written (docs/manual.md, "Me too"): open
      // tickets at the same place with similar words, each with a "Me too" form carrying the report
      // form's CSRF token. Text goes in through textContent only. Without JavaScript the page after
      // the report shows the same list.
      var description = document.getElementById("new-description");
      var place = document.getElementById("new-location");
      var report = description && description.form;
      var token = report && report.querySelector("input[name=csrf_token]");
      if (!description || !place || !token || !window.fetch) { return; }
      var box = document.createElement("section");
      box.id = "similar-live";
      box.setAttribute("aria-live", "polite");
      box.className = "similar";
      description.parentNode.appendChild(box);
      var timer = null, asked = "";
      function show(tickets) {
        box.textContent = "";
        if (!tickets.length) { return; }
        var h = document.createElement("h2");
        h.textContent = "Probably the same problem";
        box.appendChild(h);
        var list = document.createElement("ul");
        list.className = "similar-list";
        tickets.forEach(function (t) {
          var li = document.createElement("li");
          var p = document.createElement("p");
          p.textContent = "#" + t.id + " " + t.description + " (" + t.affected + (t.affected === 1 ? " person)" : " people)");
          // A button, not a form: the list sits inside the report form, and forms do not nest.
          var button = document.createElement("button");
          button.type = "button"; button.className = "me-too";
          button.textContent = "Me too (instead of reporting it again)";
          button.addEventListener("click", function () { follow(t.id); });
          li.appendChild(p); li.appendChild(button); list.appendChild(li);
        });
        box.appendChild(list);
      }
      // Posts the same form as the page's "Me too" buttons, built outside the report form.
      function follow(id) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = "/tickets/" + encodeURIComponent(id) + "/follow";
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "csrf_token"; hidden.value = token.value;
        form.appendChild(hidden);
        document.body.appendChild(form);
        form.submit();
      }
      function ask() {
        var query = "location=" + encodeURIComponent(place.value) + "&text=" + encodeURIComponent(description.value.slice(0, 400));
        if (query === asked) { return; }
        asked = query;
        fetch("/tickets/similar?" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { tickets: [] }; })
          .then(function (body) { if (query === asked) { show(body.tickets || []); } })
          .catch(function () { /* the page after the report shows the list anyway */ });
      }
      function later() { clearTimeout(timer); timer = setTimeout(ask, 500); }
      description.addEventListener("input", later);
      place.addEventListener("input", later);
    })();
    """

    static let asset = StaticAsset(body: Array(source.utf8), contentType: "text/javascript; charset=utf-8")
    static let path: StaticString = "/static/forms.js"
}
