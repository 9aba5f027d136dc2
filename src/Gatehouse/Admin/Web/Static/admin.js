// The web admin's only script (the Content-Security-Policy allows no inline script). An element with data-live has
// its content replaced every 2 seconds by the HTML fragment at that address, rendered and encoded by the server.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const region of document.querySelectorAll("[data-live]")) {
    const refresh = async () => {
      try {
        const response = await fetch(region.dataset.live, { credentials: "same-origin", redirect: "manual", cache: "no-store" });
        if (response.ok) {
          region.innerHTML = await response.text();
        } else {
          // The session ended (idle time-out, logged out, or removed): back to the login page.
          window.location.assign("/ui/login");
          return;
        }
      } catch {
        // The server is restarting or unreachable: try again at the next tick.
      }
      setTimeout(refresh, 2000);
    };
    setTimeout(refresh, 2000);
  }
});
