// Camera scanning where the browser has BarcodeDetector; typing the code always works.
(function () {
  "use strict";
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var button = document.getElementById("start-camera");
  var scanner = document.getElementById("scanner");
  var video = document.getElementById("camera");
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("code");
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (stream) {
        video.srcObject = stream;
        scanner.hidden = false;
        button.hidden = true;
        return video.play().then(function () { look(detector, stream); });
      })
      .catch(function () { button.hidden = true; input.focus(); });
  });
  function look(detector, stream) {
    detector.detect(video).then(function (codes) {
      if (codes.length > 0) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        input.value = codes[0].rawValue;
        form.submit();
        return;
      }
      window.requestAnimationFrame(function () { look(detector, stream); });
    }).catch(function () {
      window.setTimeout(function () { look(detector, stream); }, 250);
    });
  }
})();
