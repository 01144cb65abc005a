// "Select all" boxes and "set every row" buttons, without any framework.
// <input type=checkbox data-check-all="G"> checks or clears every box whose data-group names G.
// <button data-set-all="V"> checks every radio button of its form whose value is V.
(function () {
  function members(group) {
    return Array.prototype.filter.call(
      document.querySelectorAll("input[data-group]"),
      function (box) { return box.dataset.group.split(" ").indexOf(group) !== -1; }
    );
  }
  var masters = document.querySelectorAll("input[data-check-all]");
  function sync() {
    masters.forEach(function (master) {
      var boxes = members(master.dataset.checkAll);
      master.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
    });
  }
  masters.forEach(function (master) {
    master.addEventListener("change", function () {
      members(master.dataset.checkAll).forEach(function (box) { box.checked = master.checked; });
      sync();
    });
  });
  document.querySelectorAll("input[data-group]").forEach(function (box) {
    box.addEventListener("change", sync);
  });
  sync();
  document.querySelectorAll("button[data-set-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.setAll;
      button.form.querySelectorAll("input[type=radio]").forEach(function (radio) {
        if (radio.value === value) { radio.checked = true; }
      });
    });
  });
})();
