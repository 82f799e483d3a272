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

  document.addEventListener("DOMContentLoaded", function () {
    var role = document.querySelector("form select#id_role");
    if (role && document.getElementById("div_id_vendor")) {
      syncVendorFields(role);
      role.addEventListener("change", function () { syncVendorFields(role); });
    }
  });
})();
