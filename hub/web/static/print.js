// The print button (an inline onclick would be refused by the page's security policy).
"use strict";
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
