/*
 * lua_http — the "tailgate.http" module:
 *   http.request(method, url, body, params)
 *   http.get(url, params)      http.head(url, params)    http.options(url, params)
 *   http.post(url, body, params)   http.put(...)   http.patch(...)   http.del(url, body, params)
 *   http.batch(requests)       http.client(options)      http.cookie_jar()
 *   http.expected_statuses(...)    http.set_expected(obj)
 * body: a string, or a table (sent as JSON with Content-Type: application/json unless given).
 * params: { headers, tags, timeout, redirects, cookies, expected }.
 * Each call sends on a keep-alive connection of the VU (per origin), follows
 * redirects, keeps cookies in the VU's jar, yields, and returns the response:
 *   { status, body, headers = { Name = value }, url, error, error_code,
 *     timings = { blocked, connecting, tls_handshaking, sending, waiting, receiving,
 *                 duration } (ms, k6's meanings) }  and  res:json()
 * A failure (refused, timeout, malformed response...) is a response with
 * status 0 and error/error_code set, never a Lua error; a bad argument is.
 * docs/scripting.md has the details.
 */
#ifndef TG_SCRIPT_LUA_HTTP_H
#define TG_SCRIPT_LUA_HTTP_H

#include "script/runtime.h"

#endif
