// Small enhancements; every page works without them.
(function () {
  "use strict";

  // Member forms: the vendor-company fields matter only when the role is "vendor".
  function syncVendorFields(roleSelect) {
    var isVendor = roleSelect.value === "vendor";
    ["div_id_vendor", "div_id_new_vendor_name"].forEach(function (id) {
      var block = document.getElementById(id);
      if (block) { block.hidden = !isVendor; }
    });
  }

  // htmx leaves 4xx answers unswapped by default. The inbox answers 409 ("already decided by …") and
  // 422 (the form with its errors) with HTML meant to replace the item, so let those through.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var role = document.querySelector("form select#id_role");
    if (role && document.getElementById("div_id_vendor")) {
      syncVendorFields(role);
      role.addEventListener("change", function () { syncVendorFields(role); });
    }
  });
})();

// Forms that destroy something ask first (data-confirm="…" holds the question, in the reader's language).
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
