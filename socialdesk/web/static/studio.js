// Studio fit page: click the picture to set its focal point (what every crop keeps in the frame).
(function () {
  "use strict";
  function init(picker) {
    var dot = picker.querySelector(".focal-dot");
    var form = document.querySelector(picker.dataset.focalPicker);
    picker.addEventListener("click", function (event) {
      var box = picker.querySelector("img").getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      document.querySelectorAll("input[name=focal_x]").forEach(function (input) { input.value = x.toFixed(3); });
      document.querySelectorAll("input[name=focal_y]").forEach(function (input) { input.value = y.toFixed(3); });
      dot.style.left = (x * 100) + "%";
      dot.style.top = (y * 100) + "%";
      if (form) form.requestSubmit();
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-focal-picker]").forEach(init);
  });
})();
