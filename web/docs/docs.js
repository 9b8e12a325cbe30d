// Swagger UI over this orchestrator's /openapi.json. "Authorize" takes a bearer
// token (persisted in localStorage, so reloading keeps it). When this tab already
// holds the control panel's token, the docs start authorized with it.
/* global SwaggerUIBundle */
(function () {
  'use strict';
  var PANEL_TOKEN_KEY = 'fortfail.token';
  var ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    filter: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    onComplete: function () {
      var token = null;
      try { token = window.sessionStorage.getItem(PANEL_TOKEN_KEY); } catch (e) { token = null; }
      var authorized = ui.authSelectors.authorized && ui.authSelectors.authorized();
      if (token && !(authorized && authorized.get && authorized.get('bearerAuth'))) {
        ui.preauthorizeApiKey('bearerAuth', token);
      }
    },
  });
  window.ui = ui;
})();
