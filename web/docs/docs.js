// Swagger UI over this orchestrator's /openapi.json. "Authorize" takes a bearer
// token, kept in this tab's sessionStorage (never localStorage: a token there
// outlives the tab and is readable by any later page of this origin), so a
// reload keeps it and closing the tab forgets it. When this tab already holds
// the control panel's token, the docs start authorized with it.
//
// Runs under the page's Content-Security-Policy (script-src 'self'): no inline
// script, no eval, no third-party requests (the online validator is off).
/* global SwaggerUIBundle */
(function () {
  'use strict';
  var PANEL_TOKEN_KEY = 'fortfail.token';
  var DOCS_TOKEN_KEY = 'fortfail.docs.token';

  function load(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try {
      if (value) window.sessionStorage.setItem(key, value);
      else window.sessionStorage.removeItem(key);
    } catch (e) { /* storage disabled: the token lives in memory only */ }
  }

  // Mirrors Swagger UI's authorize/logout into sessionStorage (its own
  // persistAuthorization would write localStorage).
  function sessionAuthPlugin() {
    return {
      statePlugins: {
        auth: {
          wrapActions: {
            authorize: function (next) {
              return function (payload) {
                var bearer = payload && payload.bearerAuth;
                if (bearer && bearer.value) store(DOCS_TOKEN_KEY, bearer.value);
                return next(payload);
              };
            },
            logout: function (next) {
              return function (names) {
                if (!names || names.indexOf('bearerAuth') >= 0) store(DOCS_TOKEN_KEY, null);
                return next(names);
              };
            },
          },
        },
      },
    };
  }

  var ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: false,
    validatorUrl: null,
    displayRequestDuration: true,
    filter: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    presets: [SwaggerUIBundle.presets.apis],
    plugins: [sessionAuthPlugin],
    layout: 'BaseLayout',
    onComplete: function () {
      var token = load(DOCS_TOKEN_KEY) || load(PANEL_TOKEN_KEY);
      if (token) ui.preauthorizeApiKey('bearerAuth', token);
    },
  });
  window.ui = ui;
})();
