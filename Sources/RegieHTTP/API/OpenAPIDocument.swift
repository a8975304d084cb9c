/// The OpenAPI 3.0 description of the partner API, served at `/v1/openapi.json`. It is written by hand, as the API's
/// contract: a test checks that it describes exactly the routes `PartnerAPI` serves, and that the responses in the
/// tests validate against its schemas.
enum OpenAPIDocument {
    static let text = #"""
        {
          "openapi": "3.0.3",
          "info": {
            "title": "Regie partner API",
            "version": "1.1.0",
            "description": "Case status and actions for the partners of a care network. A partner sees a case only while it takes part in it or owns its current escalation level; any other case is answered with 404, as if it did not exist. Within a case, what a partner sees depends on its domain and role (`view`: `full`, `status` or `outcome`). Every read and write is logged in the access log (NEN 7513). Errors are `application/problem+json` (RFC 9457).",
            "contact": { "name": "Functioneel beheer Regie", "email": "beheer@regie.example" }
          },
          "servers": [{ "url": "/", "description": "this server" }],
          "security": [{ "apiKey": [] }],
          "tags": [
            { "name": "cases", "description": "Cases, their timelines and their events" },
            { "name": "network", "description": "The escalation board and the person lookup" },
            { "name": "reports", "description": "The monitor: in-, through- and outflow, lead times and escalations, as aggregates only. A count under the region's threshold (5 by default) is \"< 5\"; other counts are \"x\" where they would let it be worked out. No case id, pseudonym or free text is in any report." },
            { "name": "webhooks", "description": "The caller's own webhook endpoints and their delivery log. Deliveries are signed per the Standard Webhooks specification (webhook-id, webhook-timestamp, webhook-signature: v1, HMAC-SHA256 over id.timestamp.body with the endpoint's secret); they carry no care content, only the case id, the event, the level and where to fetch the case." },
            { "name": "service", "description": "The API itself: description, health and metrics" }
          ],
          "paths": {
            "/v1/openapi.json": {
              "get": {
                "tags": ["service"], "operationId": "getOpenAPI", "summary": "This description", "security": [],
                "responses": {
                  "200": { "description": "The OpenAPI 3.0 description", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "type": "object" } } } }
                }
              }
            },
            "/v1/health": {
              "get": {
                "tags": ["service"], "operationId": "getHealth", "summary": "Readiness: whether the service can do its work now", "security": [],
                "description": "Reads the database and commits a write the way an access record is written (at most once a second; probes in between share the result). Every answer with a case in it needs an access record first, so when none can be written the service is not ready: 503 with the reason. For a restart decision use `/v1/health/live`.",
                "responses": {
                  "200": { "description": "Ready", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" },
                      "example": { "status": "ok", "ready": true, "live": true, "version": "1.1.0", "startedAt": "2026-11-23T08:00:00Z", "checks": { "database": "ok", "write": "ok", "nextTimerDue": "2026-11-24T23:00:00Z" } } } } },
                  "503": { "description": "Alive but not ready: the database cannot be read or written", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" },
                      "example": { "status": "failing", "ready": false, "live": true, "version": "1.1.0", "startedAt": "2026-11-23T08:00:00Z", "checks": { "database": "ok", "nextTimerDue": null, "write": "failing: the disk holding /var/lib/regie/regie.db is full: free space, then try again" }, "reason": "no access record can be written, so no case is answered: the disk holding /var/lib/regie/regie.db is full: free space, then try again" } } } }
                }
              }
            },
            "/v1/health/live": {
              "get": {
                "tags": ["service"], "operationId": "getLiveness", "summary": "Liveness: the process answers", "security": [],
                "description": "Touches no database: a full disk makes the service unready, not dead, and restarting it would not help.",
                "responses": {
                  "200": { "description": "Alive", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Liveness" },
                      "example": { "status": "ok", "live": true, "version": "1.1.0", "startedAt": "2026-11-23T08:00:00Z" } } } }
                }
              }
            },
            "/metrics": {
              "get": {
                "tags": ["service"], "operationId": "getMetrics", "summary": "Metrics in the Prometheus text format", "security": [],
                "description": "Requests by route and status (`unmatched`: no such resource or method; `unparsed`: bytes that were not a valid request), a latency histogram, open cases by level, timers pending and overdue, the scheduler's lag, and whether the system clock ran backwards. Only from loopback or an address in server.json `metricsFrom`.",
                "responses": {
                  "200": { "description": "Prometheus text exposition format 0.0.4", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "text/plain": { "schema": { "type": "string" }, "example": "regie_http_requests_total{route=\"GET /v1/cases/{caseId}\",status=\"200\"} 12\n" } } },
                  "403": { "description": "Not from loopback or an address in metricsFrom", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                }
              }
            },
            "/v1/cases": {
              "get": {
                "tags": ["cases"], "operationId": "listCases", "summary": "The cases the caller may see",
                "description": "Open cases the caller takes part in or whose current escalation level it owns, most recently changed first. Filter by `state` (which includes closed cases in that state), `level`, `stalled` and `workflow`.",
                "parameters": [
                  { "$ref": "#/components/parameters/XRegieUser" },
                  { "name": "state", "in": "query", "schema": { "type": "string" }, "example": "regie-toegewezen", "description": "Only cases in this state" },
                  { "name": "level", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": 3 }, "example": 1, "description": "Only cases at this escalation level" },
                  { "name": "stalled", "in": "query", "schema": { "type": "boolean" }, "example": true, "description": "Only stalled cases: an overdue deadline, or no activity for the workflow's stalledAfter" },
                  { "name": "workflow", "in": "query", "schema": { "type": "string" }, "example": "netwerkcasus", "description": "Only cases of this workflow" },
                  { "name": "page", "in": "query", "schema": { "type": "integer", "minimum": 1, "default": 1 }, "example": 1 },
                  { "name": "pageSize", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 }, "example": 20 }
                ],
                "responses": {
                  "200": { "description": "One page of cases", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CaseList" },
                      "example": { "cases": [{ "id": "c-01jd8x2k3m4n5p6q", "workflow": "netwerkcasus", "view": "full", "state": "regie-toegewezen", "level": 1, "regie": { "partner": "bw-aanbieder", "name": "Voorbeeld BW-aanbieder", "contact": "regie@bw-aanbieder.example" }, "updatedAt": "2026-11-23T09:12:00Z", "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" } } }],
                        "page": 1, "pageSize": 20, "total": 1, "_links": { "self": { "href": "/v1/cases?page=1" } } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              },
              "post": {
                "tags": ["cases"], "operationId": "openCase", "summary": "Open a case",
                "description": "Opens a case of a workflow. The caller becomes its regiehouder, or, when it names another partner as `regie`, its melder. A BSN is checked, turned into the regional pseudonym and forgotten.",
                "parameters": [{ "$ref": "#/components/parameters/XRegieUser" }, { "$ref": "#/components/parameters/IdempotencyKey" }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OpenCaseRequest" },
                  "example": { "workflow": "netwerkcasus", "bsn": "111222333", "gemeente": "gemeente-haarlem", "contact": "J. de Vries" } } } },
                "responses": {
                  "201": { "description": "The case, as the caller may see it",
                    "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "ETag": { "$ref": "#/components/headers/ETag" }, "Location": { "schema": { "type": "string" }, "description": "The case's URL", "example": "/v1/cases/c-01jd8x2k3m4n5p6q" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Case" }, "examples": { "full": { "$ref": "#/components/examples/CaseFull" } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "422": { "$ref": "#/components/responses/Forbidden" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/cases/{caseId}": {
              "get": {
                "tags": ["cases"], "operationId": "getCase", "summary": "One case",
                "description": "The case as the caller may see it. `view` says how much: `full` (care content included), `status` (state, level and who holds regie; for safety partners and housing) or `outcome` (for a melder: only the outcomes it is entitled to). The ETag is the case's sequence; send it as If-Match when firing an event.",
                "parameters": [{ "$ref": "#/components/parameters/CaseId" }, { "$ref": "#/components/parameters/XRegieUser" }],
                "responses": {
                  "200": { "description": "The case", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "ETag": { "$ref": "#/components/headers/ETag" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Case" },
                      "examples": { "full": { "$ref": "#/components/examples/CaseFull" }, "status": { "$ref": "#/components/examples/CaseStatus" }, "outcome": { "$ref": "#/components/examples/CaseOutcome" } } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/cases/{caseId}/events": {
              "get": {
                "tags": ["cases"], "operationId": "listCaseEvents", "summary": "The case's timeline, as the caller may see it",
                "description": "A page of events after the sequence `after`, oldest first: at most `pageSize` events and about 1 MiB. While more follow, `_links.next` is the next page.",
                "parameters": [{ "$ref": "#/components/parameters/CaseId" }, { "$ref": "#/components/parameters/XRegieUser" },
                  { "name": "after", "in": "query", "schema": { "type": "integer", "minimum": 0, "default": 0 }, "description": "The sequence of the last event already read" },
                  { "name": "pageSize", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500, "default": 100 }, "description": "At most this many events" }],
                "responses": {
                  "200": { "description": "The events, oldest first", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/EventList" },
                      "example": { "caseId": "c-01jd8x2k3m4n5p6q", "view": "status", "events": [{ "sequence": 1, "at": "2026-11-23T08:00:00Z", "event": "geopend", "to": "aangemeld" }], "_links": { "case": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" } } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              },
              "post": {
                "tags": ["cases"], "operationId": "fireCaseEvent", "summary": "Fire an event on the case",
                "description": "Fires a workflow event in one of the caller's roles in the case (`role`, or the first of its roles that the event allows). With If-Match the event is refused (409) when the case has moved on; with Idempotency-Key a retry has one effect and gets the same answer. A transition the rules forbid gets 422 with the rule's reason.",
                "parameters": [{ "$ref": "#/components/parameters/CaseId" }, { "$ref": "#/components/parameters/XRegieUser" }, { "$ref": "#/components/parameters/IfMatch" }, { "$ref": "#/components/parameters/IdempotencyKey" }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/FireEventRequest" },
                  "example": { "event": "opschalen", "motivation": "geen passende plek na drie weken" } } } },
                "responses": {
                  "200": { "description": "The case after the event", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "ETag": { "$ref": "#/components/headers/ETag" },
                      "Idempotent-Replayed": { "schema": { "type": "string", "enum": ["true"] }, "description": "Present when the answer was replayed for a repeated Idempotency-Key" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Case" }, "examples": { "full": { "$ref": "#/components/examples/CaseFull" } } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "$ref": "#/components/responses/Conflict" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "422": { "$ref": "#/components/responses/Forbidden" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/escalations": {
              "get": {
                "tags": ["network"], "operationId": "listEscalations", "summary": "The escalation board: cases at a level the caller owns",
                "description": "Overdue first, then by time left before the level's deadline.",
                "parameters": [{ "$ref": "#/components/parameters/XRegieUser" }],
                "responses": {
                  "200": { "description": "The board", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/EscalationBoard" },
                      "example": { "partner": "ketenregisseur-zkih", "cases": [{ "id": "c-01jd8x2k3m4n5p6q", "workflow": "netwerkcasus", "state": "regie-toegewezen", "level": 2, "levelName": "ketenregie", "regie": { "partner": "bw-aanbieder", "name": "Voorbeeld BW-aanbieder", "contact": "regie@bw-aanbieder.example" }, "since": "2026-11-20T10:00:00Z", "dueAt": "2026-11-27T23:00:00Z", "overdue": false, "secondsLeft": 309600, "timeLeft": "3 days", "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" } } }] } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/reports/monitor": {
              "get": {
                "tags": ["reports"], "operationId": "getMonitorReport", "summary": "The monitor's figures, per month or quarter, for the region or one municipality",
                "description": "Only for the partners region.json names in monitor.partners (such as the centrumgemeente); anybody else gets 403. Per workflow: cases opened by source, warm handovers, regie moves, escalation levels reached and how they ended, deadlines missed, decisions, opdrachten, outflow by outcome and municipality of origin, nazorg and relapses, the workflow's steps; and lead times in working days (median and 90th percentile, null where fewer cases than the threshold). Each quarter of each workflow and municipality is protected as a whole, so reports asked with other ranges or cuts reveal nothing more together. Every report run is in the access log.",
                "parameters": [
                  { "name": "from", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }, "example": "2026-01", "description": "The first month (default: eleven months before to)" },
                  { "name": "to", "in": "query", "required": false, "schema": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }, "example": "2026-12", "description": "The last month (default: this month)" },
                  { "name": "by", "in": "query", "required": false, "schema": { "type": "string", "enum": ["month", "quarter"], "default": "month" } },
                  { "name": "gemeente", "in": "query", "required": false, "schema": { "type": "string" }, "example": "gemeente-velsen", "description": "Only the cases this municipality is responsible for (default: the region)" },
                  { "name": "workflow", "in": "query", "required": false, "schema": { "type": "string" }, "example": "netwerkcasus" },
                  { "name": "format", "in": "query", "required": false, "schema": { "type": "string", "enum": ["json", "csv"], "default": "json" }, "description": "csv: one line per number (werkstroom, figuur, periode, categorie, waarde)" },
                  { "$ref": "#/components/parameters/XRegieUser" }
                ],
                "responses": {
                  "200": { "description": "The report", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": {
                      "application/json": { "schema": { "$ref": "#/components/schemas/MonitorReport" },
                        "example": { "from": "2026-01", "to": "2026-03", "by": "quarter", "municipality": "gemeente-velsen", "workflow": "netwerkcasus", "threshold": 5, "periods": ["2026-K1"],
                          "sections": [{ "workflow": "netwerkcasus",
                            "figures": [{ "figure": "instroom.bron", "title": "Instroom: casussen geopend, naar bron", "categories": ["ggz", "toegang"], "rows": [{ "period": "2026-K1", "cells": { "ggz": 12, "toegang": "< 5" }, "total": 15 }], "total": { "period": "Totaal", "cells": { "ggz": 12, "toegang": "x" }, "total": 15 } }],
                            "leadTimes": [{ "duration": "open-tot-uitstroom", "title": "Van opening tot uitstroom", "rows": [{ "period": "2026-K1", "medianWorkingDays": 31, "p90WorkingDays": 58 }], "total": { "period": "Totaal", "medianWorkingDays": 31, "p90WorkingDays": 58 } }] }] } },
                      "text/csv": { "schema": { "type": "string" }, "example": "werkstroom,figuur,periode,categorie,waarde\nnetwerkcasus,instroom.bron,2026-K1,ggz,12\n" }
                    } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "403": { "description": "The partner may not run reports", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                      "example": { "type": "urn:regie:problem:forbidden", "title": "Forbidden", "status": 403, "detail": "ggz-aanbieder may not run the monitor's reports; region.json's monitor.partners names who may", "instance": "/v1/reports/monitor" } } } },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/lookups": {
              "post": {
                "tags": ["network"], "operationId": "lookupPerson", "summary": "Is this person known in the network?",
                "description": "Like the verwijsindex: answers only whether open cases exist for the person (any member of a household) and whom to contact (their regiehouders; for a shielded case the caller does not take part in, the region's safe point), never why. The lookup states its purpose; each case records it on its timeline and each regiehouder is told who asked and why. A partner may do the region's number of lookups per period; beyond that the answer is 429 with Retry-After, and the ketenregisseur is told. The BSN is sent in the body, never in the URL, and is not stored.",
                "parameters": [{ "$ref": "#/components/parameters/XRegieUser" }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LookupRequest" }, "example": { "bsn": "111222333", "purpose": "aanmelding" } } } },
                "responses": {
                  "200": { "description": "Known or not, and whom to contact", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LookupResult" },
                      "example": { "known": true, "contacts": [{ "partner": "bw-aanbieder", "name": "Voorbeeld BW-aanbieder", "contact": "regie@bw-aanbieder.example" }] } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "429": { "$ref": "#/components/responses/TooManyRequests" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/vso/{basisteam}/agenda": {
              "get": {
                "tags": ["network"], "operationId": "getVsoAgenda", "summary": "The agenda of a basisteam's Vroegsignaleringsoverleg",
                "description": "For the meeting's standing participants (Config/region.json) and the chairs of its signals; anybody else gets 404. One item per person: its signals (a later signal about the same person joins the item), each with its melders and chair, and the partners already involved with the person elsewhere (for a shielded case the region's safe point). No care notes. Without date, the next meeting.",
                "parameters": [
                  { "name": "basisteam", "in": "path", "required": true, "schema": { "type": "string" }, "example": "politie-haarlem" },
                  { "name": "date", "in": "query", "required": false, "schema": { "type": "string", "format": "date" }, "example": "2026-12-01" },
                  { "$ref": "#/components/parameters/XRegieUser" }
                ],
                "responses": {
                  "200": { "description": "The agenda", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/VsoAgenda" },
                      "example": { "basisteam": "politie-haarlem", "meetingAt": "2026-12-01T09:00:00Z", "items": [{ "signals": [{ "id": "c-01jd8x2k3m4n5p6q", "openedAt": "2026-11-23T11:01:00Z", "state": "geagendeerd", "melders": ["politie-haarlem"], "chair": "gemeente-haarlem", "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" } } }], "involved": ["ggz-aanbieder"] }] } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/webhooks": {
              "get": {
                "tags": ["webhooks"], "operationId": "listWebhooks", "summary": "The caller's webhook endpoints",
                "parameters": [{ "$ref": "#/components/parameters/XRegieUser" }],
                "responses": {
                  "200": { "description": "The caller's endpoints, never their secrets", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/WebhookList" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              },
              "post": {
                "tags": ["webhooks"], "operationId": "createWebhook", "summary": "Register an endpoint",
                "description": "Regie generates the signing secret (whsec_ + base64 of 32 random bytes) and returns it only in this answer. The endpoint receives notifications of the given types (wildcards: escalation.*, *) about cases the caller may see. Deliveries are retried for about three days; 410 Gone disables the endpoint. An address URL in a private, loopback, link-local or reserved range is refused unless the region allows its network.",
                "parameters": [{ "$ref": "#/components/parameters/XRegieUser" }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateWebhookRequest" },
                  "example": { "url": "https://ggz.example.nl/regie/webhooks", "events": ["escalation.*", "handover.*"], "format": "thin" } } } },
                "responses": {
                  "201": { "description": "Registered; the secret is shown only now",
                    "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "Location": { "schema": { "type": "string" }, "example": "/v1/webhooks/wh_Ab12Cd34Ef56" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreatedWebhook" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/webhooks/{webhookId}": {
              "delete": {
                "tags": ["webhooks"], "operationId": "deleteWebhook", "summary": "Remove an endpoint",
                "description": "Nothing more is delivered to it; its pending deliveries are marked failed. Its delivery log stays readable.",
                "parameters": [{ "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/XRegieUser" }],
                "responses": {
                  "204": { "description": "Removed (also when it was already)", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/webhooks/{webhookId}/secret": {
              "post": {
                "tags": ["webhooks"], "operationId": "rotateWebhookSecret", "summary": "Issue a new signing secret",
                "description": "Until previousSecretValidUntil every delivery carries two signatures, space-separated in webhook-signature: one with the old secret and one with the new, so the receiver can switch at its own moment.",
                "parameters": [{ "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/XRegieUser" }],
                "responses": {
                  "201": { "description": "The new secret, shown only now", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SecretRotation" } } } },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "409": { "description": "The endpoint is disabled", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            },
            "/v1/webhooks/{webhookId}/deliveries": {
              "get": {
                "tags": ["webhooks"], "operationId": "listWebhookDeliveries", "summary": "The delivery log of an endpoint",
                "description": "Every attempt, newest first: when, the status the receiver answered (null when none came), how long it took, the error, and at most 1 KiB of the answer.",
                "parameters": [
                  { "$ref": "#/components/parameters/WebhookId" }, { "$ref": "#/components/parameters/XRegieUser" },
                  { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500 }, "example": 100, "description": "At most this many attempts (default 100)" }
                ],
                "responses": {
                  "200": { "description": "Attempts, newest first", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DeliveryLog" } } } },
                  "400": { "$ref": "#/components/responses/BadRequest" },
                  "401": { "$ref": "#/components/responses/Unauthorized" },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "500": { "$ref": "#/components/responses/InternalError" }
                }
              }
            }
          },
          "components": {
            "securitySchemes": {
              "apiKey": { "type": "http", "scheme": "bearer", "description": "A partner's API key (`rgk_...`), created with `regie partner key create PARTNER`" }
            },
            "headers": {
              "API-Version": { "description": "The full version of the API", "schema": { "type": "string" }, "example": "1.1.0" },
              "ETag": { "description": "The case's sequence, in quotes; send it back as If-Match", "schema": { "type": "string" }, "example": "\"7\"" }
            },
            "parameters": {
              "CaseId": { "name": "caseId", "in": "path", "required": true, "schema": { "type": "string" }, "example": "c-01jd8x2k3m4n5p6q" },
              "WebhookId": { "name": "webhookId", "in": "path", "required": true, "schema": { "type": "string" }, "example": "wh_Ab12Cd34Ef56" },
              "XRegieUser": { "name": "X-Regie-User", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 }, "example": "j.jansen", "description": "The person acting in the partner's system; recorded in the access log and on events" },
              "IfMatch": { "name": "If-Match", "in": "header", "required": false, "schema": { "type": "string" }, "example": "\"7\"", "description": "The ETag (sequence) the caller last saw; the event is refused with 409 when the case has changed since" },
              "IdempotencyKey": { "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 }, "example": "5f0c6c1e-8d7a-4a57-9a53-2f1f1c1f0b11", "description": "A repeated request with the same key and body has one effect and gets the same answer" }
            },
            "responses": {
              "BadRequest": { "description": "A parameter or the body is not valid", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:invalid-params", "title": "A parameter is not valid", "status": 400, "detail": "query.level: must be a level from 0 to 3", "instance": "/v1/cases", "invalidParams": [{ "name": "query.level", "code": "range", "reason": "must be a level from 0 to 3" }] } } } },
              "Unauthorized": { "description": "No key, an unknown key or a revoked key", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "WWW-Authenticate": { "schema": { "type": "string" }, "example": "Bearer realm=\"regie\"" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:unauthorized", "title": "No valid API key", "status": 401, "detail": "send a valid, unrevoked API key as `Authorization: Bearer rgk_...`", "instance": "/v1/cases" } } } },
              "NotFound": { "description": "No such case, or one the caller does not take part in (the two are not told apart)", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:not-found", "title": "Not found", "status": 404, "detail": "no case \"c-01jd8x2k3m4n5p6q\" that you take part in", "instance": "/v1/cases/c-01jd8x2k3m4n5p6q" } } } },
              "Conflict": { "description": "The case changed since the If-Match sequence", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:stale-sequence", "title": "The case has changed", "status": 409, "detail": "case c-01jd8x2k3m4n5p6q is at sequence 8, not 7: it changed since you read it; read it again and retry" } } } },
              "UnsupportedMediaType": { "description": "The body is not JSON", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "send the body as JSON with `Content-Type: application/json`" } } } },
              "Forbidden": { "description": "The workflow's rules do not allow this, with the rule's reason; or a text is longer than the region accepts (`text-too-long`, naming it in `invalidParams`)", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:forbidden-transition", "title": "The rules do not allow this", "status": 422, "detail": "role betrokken may not fire \"opschalen\"; allowed roles: regiehouder, procesregisseur", "invalidParams": [{ "name": "body.event", "code": "wrongRole", "reason": "role betrokken may not fire \"opschalen\"; allowed roles: regiehouder, procesregisseur" }] } } } },
              "TooManyRequests": { "description": "Too many lookups from this partner in the period; try again after Retry-After seconds", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" }, "Retry-After": { "schema": { "type": "integer" }, "example": 1800 } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:too-many-requests", "title": "Too many requests", "status": 429, "detail": "sociaal-wijkteam has done its 20 lookups for this period; try again in 30 minutes" } } } },
              "InternalError": { "description": "The server could not complete the request", "headers": { "API-Version": { "$ref": "#/components/headers/API-Version" } },
                "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" },
                  "example": { "type": "urn:regie:problem:internal", "title": "Internal error", "status": 500, "detail": "the server could not complete the request; it is logged" } } } }
            },
            "examples": {
              "CaseFull": { "summary": "A care partner taking part", "value": {
                "id": "c-01jd8x2k3m4n5p6q", "workflow": "netwerkcasus", "view": "full", "yourRoles": ["regiehouder"], "version": 2, "state": "regie-toegewezen", "level": 0, "levelName": "regulier",
                "regie": { "partner": "bw-aanbieder", "name": "Voorbeeld BW-aanbieder", "contact": "regie@bw-aanbieder.example" }, "suspended": false, "sequence": 3,
                "openedAt": "2026-11-23T08:00:00Z", "updatedAt": "2026-11-23T09:12:00Z", "closedAt": null,
                "partners": [{ "partner": "bw-aanbieder", "role": "regiehouder" }, { "partner": "ggz-aanbieder", "role": "betrokken" }],
                "deadlines": [{ "name": "stagnatie", "label": "stagnatie", "dueAt": "2026-12-07T23:00:00Z", "dueDate": "2026-12-07", "paused": false, "statutory": false, "legalBasis": null, "calendar": "praktijk", "ownerLevel": 0 }],
                "municipality": "gemeente-haarlem", "fields": {}, "handover": null, "opdrachten": [], "opdracht": null, "suspension": null, "links": [],
                "allowedEvents": ["plan-vastgesteld", "opschalen", "opschorten"],
                "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" }, "events": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q/events" } } } },
              "CaseStatus": { "summary": "A safety partner taking part", "value": {
                "id": "c-01jd8x2k3m4n5p6q", "workflow": "netwerkcasus", "view": "status", "yourRoles": ["betrokken"], "version": 2, "state": "regie-toegewezen", "level": 1, "levelName": "procesregie",
                "regie": { "partner": "bw-aanbieder", "name": "Voorbeeld BW-aanbieder", "contact": "regie@bw-aanbieder.example" }, "suspended": false, "sequence": 5,
                "openedAt": "2026-11-23T08:00:00Z", "updatedAt": "2026-11-23T09:12:00Z", "closedAt": null, "allowedEvents": [],
                "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" }, "events": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q/events" } } } },
              "CaseOutcome": { "summary": "The melder of a referral", "value": {
                "id": "c-01jd8x2k3m4n5p6q", "workflow": "bemoeizorg", "view": "outcome", "yourRoles": ["melder"], "status": "afgerond",
                "openedAt": "2026-11-23T08:00:00Z", "closedAt": "2026-12-01T15:00:00Z", "outcomes": [{ "sequence": 6, "at": "2026-12-01T15:00:00Z", "event": "afsluiten", "uitkomst": "in-zorg" }],
                "_links": { "self": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q" }, "events": { "href": "/v1/cases/c-01jd8x2k3m4n5p6q/events" } } } }
            },
            "schemas": {
              "Problem": {
                "type": "object", "required": ["type", "title", "status", "detail"], "additionalProperties": false,
                "properties": {
                  "type": { "type": "string", "description": "urn:regie:problem: and a slug naming the kind of problem" },
                  "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string", "description": "What was wrong, and what to do" },
                  "instance": { "type": "string" },
                  "invalidParams": { "type": "array", "items": { "$ref": "#/components/schemas/InvalidParam" } }
                }
              },
              "InvalidParam": {
                "type": "object", "required": ["name", "code", "reason"], "additionalProperties": false,
                "properties": { "name": { "type": "string", "example": "body.event" }, "code": { "type": "string" }, "reason": { "type": "string" } }
              },
              "Link": { "type": "object", "required": ["href"], "additionalProperties": false, "properties": { "href": { "type": "string" } } },
              "Regie": {
                "type": "object", "required": ["partner"], "additionalProperties": false,
                "properties": { "partner": { "type": "string" }, "name": { "type": "string", "nullable": true }, "contact": { "type": "string", "nullable": true } }
              },
              "Participant": {
                "type": "object", "required": ["partner", "role"], "additionalProperties": false,
                "properties": { "partner": { "type": "string" }, "role": { "$ref": "#/components/schemas/Role" },
                  "serves": { "type": "array", "items": { "type": "string" }, "description": "In a household case, the members this partner serves" } }
              },
              "Role": { "type": "string", "enum": ["regiehouder", "betrokken", "procesregisseur", "ketenregisseur", "bestuurlijk", "melder"] },
              "Outcome": {
                "type": "object", "required": ["sequence", "at", "event"], "additionalProperties": false,
                "properties": { "sequence": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "event": { "type": "string" }, "uitkomst": { "type": "string", "nullable": true },
                  "meetingAt": { "type": "string", "format": "date-time", "description": "The meeting a signal moved to" } }
              },
              "Case": {
                "type": "object", "required": ["id", "workflow", "view", "yourRoles", "_links"], "additionalProperties": false,
                "description": "A case as the caller may see it. The view follows from the caller's part, in order: its role in the case (the regiehouder `full`; a participant by domain: care and municipal partners `full`, safety and housing partners `status`, a melder `outcome`), owning the case's level (`oversight`), being the responsible municipality (`oversight`) and carrying an opdracht (`status` with its own opdrachten). `full` has every property; `oversight` has everything but the fields; `status` has no partners, deadlines, municipality, fields, handover, opdrachten (but the caller's own), suspension, escalation, members or links; `outcome` has only id, workflow, status, meetingAt, openedAt, closedAt and outcomes.",
                "properties": {
                  "id": { "type": "string" }, "workflow": { "type": "string" },
                  "view": { "type": "string", "enum": ["full", "oversight", "status", "outcome", "none"], "description": "none: the caller's own event ended its part in the case (e.g. it moved the case to another municipality); nothing more is shown" },
                  "yourRoles": { "type": "array", "items": { "$ref": "#/components/schemas/Role" } },
                  "version": { "type": "integer" }, "state": { "type": "string" },
                  "level": { "type": "integer", "minimum": 0, "maximum": 3 }, "levelName": { "type": "string", "nullable": true },
                  "regie": { "$ref": "#/components/schemas/Regie" },
                  "suspended": { "type": "boolean" }, "sequence": { "type": "integer" },
                  "openedAt": { "type": "string", "format": "date-time" }, "updatedAt": { "type": "string", "format": "date-time" },
                  "closedAt": { "type": "string", "format": "date-time", "nullable": true },
                  "status": { "type": "string", "enum": ["lopend", "afgerond"] },
                  "meetingAt": { "type": "string", "format": "date-time", "nullable": true, "description": "For a signal: the Vroegsignaleringsoverleg it is on the agenda of" },
                  "outcomes": { "type": "array", "items": { "$ref": "#/components/schemas/Outcome" } },
                  "shielded": { "type": "boolean", "description": "Shielded (afgeschermd): outsiders learn nothing that names it" },
                  "escalation": { "type": "object", "nullable": true, "description": "Who raised the case last, why (reason) and what the level is asked (asked: the fields, e.g. vraag)" },
                  "members": { "type": "array", "description": "The clients of the case (a household has several), as far as the caller serves them",
                    "items": { "type": "object", "required": ["id", "relation"], "additionalProperties": false,
                      "properties": { "id": { "type": "string", "example": "kind-1" }, "relation": { "type": "string", "enum": ["client", "ouder", "kind", "partner", "huisgenoot"] } } } },
                  "partners": { "type": "array", "items": { "$ref": "#/components/schemas/Participant" } },
                  "deadlines": { "type": "array", "items": { "$ref": "#/components/schemas/Deadline" } },
                  "municipality": { "type": "string", "nullable": true },
                  "fields": { "type": "object", "additionalProperties": { "type": "string" } },
                  "handover": { "type": "object", "nullable": true, "description": "A warm handover under way: from, to, subject, stage and its moments" },
                  "opdrachten": { "type": "array", "items": { "$ref": "#/components/schemas/Opdracht" }, "description": "The binding opdrachten under way, one per partner, each with its own deadline" },
                  "opdracht": { "type": "object", "nullable": true, "deprecated": true, "description": "The first of opdrachten (API 1.0 had at most one); use opdrachten" },
                  "suspension": { "type": "object", "nullable": true, "description": "The running suspension: by (partner), role, person, level (timers owned up to this level pause; statutory ones never) and motivation" },
                  "links": { "type": "array", "items": { "type": "object" }, "description": "Linked cases: caseId, workflow, direction" },
                  "allowedEvents": { "type": "array", "items": { "type": "string" }, "description": "Events the caller's roles allow in this state (the rules may still refuse one)" },
                  "_links": { "type": "object", "required": ["self"], "additionalProperties": false,
                    "properties": { "self": { "$ref": "#/components/schemas/Link" }, "events": { "$ref": "#/components/schemas/Link" } } }
                }
              },
              "Deadline": {
                "type": "object", "required": ["name", "label", "dueAt", "dueDate", "paused", "statutory", "legalBasis", "calendar", "ownerLevel"], "additionalProperties": false,
                "properties": {
                  "name": { "type": "string" }, "label": { "type": "string", "description": "name, or name:partner for one of several (an opdracht's deadline)" },
                  "dueAt": { "type": "string", "format": "date-time" }, "dueDate": { "type": "string", "format": "date", "description": "The local (Amsterdam) day the deadline ends" },
                  "paused": { "type": "boolean" }, "statutory": { "type": "boolean", "description": "Set by law: nobody suspends or extends it" },
                  "legalBasis": { "type": "string", "nullable": true }, "calendar": { "type": "string", "enum": ["wet", "praktijk"], "description": "The law's calendar (Algemene termijnenwet) or the region's practice" },
                  "ownerLevel": { "type": "integer", "minimum": 0, "maximum": 3, "description": "The escalation level that owns it: only its owner or a level above may extend or suspend it" }
                }
              },
              "Opdracht": {
                "type": "object", "required": ["partner", "givenBy", "givenAt", "level", "text", "dueAt", "dueDate"], "additionalProperties": false,
                "properties": {
                  "partner": { "type": "string" }, "givenBy": { "type": "string" }, "givenAt": { "type": "string", "format": "date-time" },
                  "level": { "type": "integer", "description": "The level that gave it and owns its deadline" }, "text": { "type": "string", "nullable": true },
                  "dueAt": { "type": "string", "format": "date-time", "nullable": true }, "dueDate": { "type": "string", "format": "date", "nullable": true }
                }
              },
              "CaseSummary": {
                "type": "object", "required": ["id", "workflow", "view", "_links"], "additionalProperties": false,
                "properties": {
                  "id": { "type": "string" }, "workflow": { "type": "string" }, "view": { "type": "string", "enum": ["full", "oversight", "status", "outcome"] },
                  "state": { "type": "string" }, "level": { "type": "integer" }, "regie": { "$ref": "#/components/schemas/Regie" },
                  "updatedAt": { "type": "string", "format": "date-time" }, "status": { "type": "string", "enum": ["lopend", "afgerond"] },
                  "_links": { "type": "object", "required": ["self"], "additionalProperties": false, "properties": { "self": { "$ref": "#/components/schemas/Link" } } }
                }
              },
              "CaseList": {
                "type": "object", "required": ["cases", "page", "pageSize", "total", "_links"], "additionalProperties": false,
                "properties": {
                  "cases": { "type": "array", "items": { "$ref": "#/components/schemas/CaseSummary" } },
                  "page": { "type": "integer" }, "pageSize": { "type": "integer" }, "total": { "type": "integer" },
                  "_links": { "type": "object", "required": ["self"], "additionalProperties": false,
                    "properties": { "self": { "$ref": "#/components/schemas/Link" }, "next": { "$ref": "#/components/schemas/Link" }, "prev": { "$ref": "#/components/schemas/Link" } } }
                }
              },
              "Event": {
                "type": "object", "required": ["sequence", "at", "event"], "additionalProperties": false,
                "description": "In the full view with actor and payload; in the status view with the states and level only; in the outcome view only the outcomes.",
                "properties": {
                  "sequence": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "event": { "type": "string" },
                  "actor": { "type": "object", "required": ["partner", "role"], "additionalProperties": false,
                    "properties": { "partner": { "type": "string" }, "person": { "type": "string", "nullable": true }, "role": { "type": "string" } } },
                  "payload": { "type": "object" },
                  "from": { "type": "string" }, "to": { "type": "string" }, "level": { "type": "integer" },
                  "uitkomst": { "type": "string", "nullable": true },
                  "meetingAt": { "type": "string", "format": "date-time", "description": "The meeting a signal moved to" }
                }
              },
              "EventList": {
                "type": "object", "required": ["caseId", "view", "events", "_links"], "additionalProperties": false,
                "properties": {
                  "caseId": { "type": "string" }, "view": { "type": "string", "enum": ["full", "oversight", "status", "outcome"] },
                  "events": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } },
                  "_links": { "type": "object", "required": ["case"], "additionalProperties": false, "properties": { "case": { "$ref": "#/components/schemas/Link" }, "next": { "$ref": "#/components/schemas/Link" } } }
                }
              },
              "FireEventRequest": {
                "type": "object", "required": ["event"], "additionalProperties": false,
                "properties": {
                  "event": { "type": "string", "example": "opschalen" },
                  "role": { "$ref": "#/components/schemas/Role" },
                  "note": { "type": "string" }, "target": { "type": "string", "description": "The partner the event is about (hand over to, add, assign)" },
                  "motivation": { "type": "string" }, "timer": { "type": "string", "description": "For verlengen: the deadline to extend, by its label (name, or name:partner for one of several)" },
                  "days": { "type": "integer", "minimum": 1, "maximum": 366, "description": "For verlengen: by how many working days" },
                  "contact": { "type": "string", "description": "The regiehouder's contact person: its own, or the new holder's when the event moves regie (required on the new holder's first action after a move without one)" },
                  "members": { "type": "array", "items": { "type": "string" }, "description": "In a household case, the members the event is about (gezin: the whole household); with partner-toevoegen, the members the new partner serves" },
                  "bsn": { "type": "string", "pattern": "^[0-9]{9}$", "description": "For lid-toevoegen: the new member's BSN (pseudonymised, never stored)" },
                  "relation": { "type": "string", "enum": ["ouder", "kind", "partner", "huisgenoot"], "description": "For lid-toevoegen: the new member's relation" },
                  "fields": { "type": "object", "additionalProperties": { "type": "string" }, "description": "Fields the transition declares" }
                }
              },
              "OpenCaseRequest": {
                "type": "object", "required": ["workflow"], "additionalProperties": false,
                "properties": {
                  "workflow": { "type": "string", "example": "netwerkcasus" },
                  "regie": { "type": "string", "description": "The regiehouder; the caller when omitted (else the caller is the melder)" },
                  "contact": { "type": "string", "description": "The regiehouder's contact person" },
                  "bsn": { "type": "string", "pattern": "^[0-9]{9}$", "description": "Pseudonymised, never stored" },
                  "fields": { "type": "object", "additionalProperties": { "type": "string" } },
                  "gemeente": { "type": "string", "description": "The responsible municipality (woonplaatsbeginsel)" },
                  "from": { "type": "string", "description": "A case the caller takes part in, from which this one is opened (linked both ways)" },
                  "shield": { "type": "string", "description": "Shield the case from the start, with this motivation (some regiehouders shield by default)" },
                  "relation": { "type": "string", "enum": ["client", "ouder", "kind", "partner", "huisgenoot"], "description": "For a household: the relation of the client of bsn" },
                  "household": { "type": "array", "description": "The other members of a household, each with its own pseudonym",
                    "items": { "type": "object", "required": ["relation"], "additionalProperties": false,
                      "properties": { "relation": { "type": "string", "enum": ["ouder", "kind", "partner", "huisgenoot"] }, "bsn": { "type": "string", "pattern": "^[0-9]{9}$" } } } }
                }
              },
              "MonitorCell": { "description": "A count, or \"< 5\" (under the threshold) or \"x\" (withheld)", "oneOf": [{ "type": "integer", "minimum": 0 }, { "type": "string" }] },
              "MonitorRow": {
                "type": "object", "required": ["period", "cells", "total"], "additionalProperties": false,
                "properties": { "period": { "type": "string" }, "cells": { "type": "object", "additionalProperties": { "$ref": "#/components/schemas/MonitorCell" } }, "total": { "$ref": "#/components/schemas/MonitorCell" } }
              },
              "MonitorLeadTime": {
                "type": "object", "required": ["period", "medianWorkingDays", "p90WorkingDays"], "additionalProperties": false,
                "properties": { "period": { "type": "string" }, "medianWorkingDays": { "type": "integer", "nullable": true }, "p90WorkingDays": { "type": "integer", "nullable": true } }
              },
              "MonitorReport": {
                "type": "object", "required": ["from", "to", "by", "municipality", "workflow", "threshold", "periods", "sections"], "additionalProperties": false,
                "properties": {
                  "from": { "type": "string" }, "to": { "type": "string" }, "by": { "type": "string", "enum": ["month", "quarter"] },
                  "municipality": { "type": "string", "nullable": true }, "workflow": { "type": "string", "nullable": true }, "threshold": { "type": "integer" },
                  "countingSince": { "type": "string", "format": "date-time", "nullable": true, "description": "When the monitor began counting, if after the first cases (a database upgraded to it); null: from the start" },
                  "periods": { "type": "array", "items": { "type": "string" } },
                  "sections": { "type": "array", "items": { "type": "object", "required": ["workflow", "figures", "leadTimes"], "additionalProperties": false,
                    "properties": {
                      "workflow": { "type": "string" },
                      "figures": { "type": "array", "items": { "type": "object", "required": ["figure", "title", "categories", "rows", "total"], "additionalProperties": false,
                        "properties": { "figure": { "type": "string" }, "title": { "type": "string" }, "categories": { "type": "array", "items": { "type": "string" } }, "rows": { "type": "array", "items": { "$ref": "#/components/schemas/MonitorRow" } }, "total": { "$ref": "#/components/schemas/MonitorRow" } } } },
                      "leadTimes": { "type": "array", "items": { "type": "object", "required": ["duration", "title", "rows", "total"], "additionalProperties": false,
                        "properties": { "duration": { "type": "string" }, "title": { "type": "string" }, "rows": { "type": "array", "items": { "$ref": "#/components/schemas/MonitorLeadTime" } }, "total": { "$ref": "#/components/schemas/MonitorLeadTime" } } } }
                    } } }
                }
              },
              "EscalationBoard": {
                "type": "object", "required": ["partner", "cases"], "additionalProperties": false,
                "properties": {
                  "partner": { "type": "string" },
                  "cases": { "type": "array", "items": { "type": "object", "required": ["id", "workflow", "state", "level", "shielded", "overdue", "_links"], "additionalProperties": false,
                    "properties": {
                      "id": { "type": "string" }, "workflow": { "type": "string" }, "state": { "type": "string" }, "level": { "type": "integer" },
                      "levelName": { "type": "string", "nullable": true }, "regie": { "$ref": "#/components/schemas/Regie" },
                      "shielded": { "type": "boolean", "description": "A shielded case names its regiehouder here only to partners taking part in it" },
                      "escalation": { "type": "object", "nullable": true, "description": "Who raised it, why, and what is asked" },
                      "since": { "type": "string", "format": "date-time", "nullable": true }, "dueAt": { "type": "string", "format": "date-time", "nullable": true },
                      "overdue": { "type": "boolean" }, "secondsLeft": { "type": "integer", "nullable": true, "description": "Negative when overdue" },
                      "timeLeft": { "type": "string", "nullable": true },
                      "_links": { "type": "object", "required": ["self"], "additionalProperties": false, "properties": { "self": { "$ref": "#/components/schemas/Link" } } }
                    } } }
                }
              },
              "VsoAgenda": {
                "type": "object", "required": ["basisteam", "meetingAt", "items"], "additionalProperties": false,
                "properties": {
                  "basisteam": { "type": "string" }, "meetingAt": { "type": "string", "format": "date-time" },
                  "items": { "type": "array", "items": { "type": "object", "required": ["signals", "involved"], "additionalProperties": false,
                    "properties": {
                      "signals": { "type": "array", "items": { "type": "object", "required": ["id", "openedAt", "state", "melders", "chair", "_links"], "additionalProperties": false,
                        "properties": { "id": { "type": "string" }, "openedAt": { "type": "string", "format": "date-time" }, "state": { "type": "string" },
                          "melders": { "type": "array", "items": { "type": "string" } }, "chair": { "type": "string" },
                          "_links": { "type": "object", "required": ["self"], "additionalProperties": false, "properties": { "self": { "$ref": "#/components/schemas/Link" } } } } } },
                      "involved": { "type": "array", "items": { "type": "string" } }
                    } } }
                }
              },
              "LookupRequest": {
                "type": "object", "required": ["bsn", "purpose"], "additionalProperties": false,
                "properties": { "bsn": { "type": "string", "pattern": "^[0-9]{9}$", "example": "111222333" },
                  "purpose": { "type": "string", "maxLength": 200, "description": "Why: one of the region's purposes (Config/region.json lookups.purposes)", "example": "aanmelding" } }
              },
              "LookupResult": {
                "type": "object", "required": ["known", "contacts"], "additionalProperties": false,
                "properties": {
                  "known": { "type": "boolean" },
                  "contacts": { "type": "array", "items": { "$ref": "#/components/schemas/Regie" } }
                }
              },
              "Webhook": {
                "type": "object", "required": ["id", "url", "events", "format", "createdAt", "state", "_links"], "additionalProperties": false,
                "properties": {
                  "id": { "type": "string", "example": "wh_Ab12Cd34Ef56" }, "url": { "type": "string", "example": "https://ggz.example.nl/regie/webhooks" },
                  "events": { "type": "array", "items": { "type": "string" }, "example": ["escalation.*"] },
                  "format": { "type": "string", "enum": ["thin", "zgw"], "description": "thin: type, timestamp and data (caseId, event, sequence, level, url); zgw: the ZGW Notificaties shape" },
                  "createdAt": { "type": "string", "format": "date-time" },
                  "state": { "type": "string", "enum": ["active", "failing", "disabled"] },
                  "failingSince": { "type": "string", "format": "date-time", "nullable": true },
                  "disabledAt": { "type": "string", "format": "date-time", "nullable": true },
                  "disabledReason": { "type": "string", "nullable": true },
                  "previousSecretValidUntil": { "type": "string", "format": "date-time", "nullable": true },
                  "_links": { "type": "object", "required": ["self", "deliveries"], "additionalProperties": false,
                    "properties": { "self": { "$ref": "#/components/schemas/Link" }, "deliveries": { "$ref": "#/components/schemas/Link" } } }
                }
              },
              "CreatedWebhook": {
                "type": "object", "required": ["id", "url", "events", "format", "createdAt", "state", "_links", "secret"], "additionalProperties": false,
                "description": "A Webhook with its signing secret, which is shown only in this answer",
                "properties": {
                  "id": { "type": "string" }, "url": { "type": "string" }, "events": { "type": "array", "items": { "type": "string" } },
                  "format": { "type": "string", "enum": ["thin", "zgw"] }, "createdAt": { "type": "string", "format": "date-time" },
                  "state": { "type": "string", "enum": ["active", "failing", "disabled"] },
                  "failingSince": { "type": "string", "format": "date-time", "nullable": true },
                  "disabledAt": { "type": "string", "format": "date-time", "nullable": true },
                  "disabledReason": { "type": "string", "nullable": true },
                  "previousSecretValidUntil": { "type": "string", "format": "date-time", "nullable": true },
                  "_links": { "type": "object", "required": ["self", "deliveries"], "additionalProperties": false,
                    "properties": { "self": { "$ref": "#/components/schemas/Link" }, "deliveries": { "$ref": "#/components/schemas/Link" } } },
                  "secret": { "type": "string", "example": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }
                }
              },
              "WebhookList": {
                "type": "object", "required": ["webhooks"], "additionalProperties": false,
                "properties": { "webhooks": { "type": "array", "items": { "$ref": "#/components/schemas/Webhook" } } }
              },
              "CreateWebhookRequest": {
                "type": "object", "required": ["url", "events"], "additionalProperties": false,
                "properties": {
                  "url": { "type": "string", "maxLength": 2000 }, "events": { "type": "array", "minItems": 1, "items": { "type": "string" } },
                  "format": { "type": "string", "enum": ["thin", "zgw"], "default": "thin" }
                }
              },
              "SecretRotation": {
                "type": "object", "required": ["secret", "previousSecretValidUntil"], "additionalProperties": false,
                "properties": { "secret": { "type": "string" }, "previousSecretValidUntil": { "type": "string", "format": "date-time" } }
              },
              "DeliveryAttempt": {
                "type": "object", "required": ["deliveryId", "webhookId", "endpointId", "caseId", "type", "at", "durationMs", "status"], "additionalProperties": false,
                "properties": {
                  "deliveryId": { "type": "integer" }, "webhookId": { "type": "string", "example": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" },
                  "endpointId": { "type": "string" }, "caseId": { "type": "string" }, "type": { "type": "string", "example": "escalation.raised" },
                  "at": { "type": "string", "format": "date-time" }, "durationMs": { "type": "integer" },
                  "status": { "type": "integer", "nullable": true, "description": "The receiver's HTTP status; null when no answer came" },
                  "error": { "type": "string", "nullable": true }, "response": { "type": "string", "nullable": true, "description": "At most 1 KiB of the answer" }
                }
              },
              "DeliveryLog": {
                "type": "object", "required": ["attempts"], "additionalProperties": false,
                "properties": { "attempts": { "type": "array", "items": { "$ref": "#/components/schemas/DeliveryAttempt" } } }
              },
              "Health": {
                "type": "object", "required": ["status", "ready", "live", "version", "startedAt", "checks"], "additionalProperties": false,
                "properties": {
                  "status": { "type": "string", "enum": ["ok", "failing"] },
                  "ready": { "type": "boolean", "description": "Whether the service can read and write now" },
                  "live": { "type": "boolean", "description": "Always true: the process answered" },
                  "version": { "type": "string" },
                  "startedAt": { "type": "string", "format": "date-time" },
                  "checks": { "type": "object", "required": ["database", "write"], "additionalProperties": false,
                    "properties": {
                      "database": { "type": "string", "description": "`ok`, or `failing: ` and why reading fails" },
                      "write": { "type": "string", "description": "`ok`, or `failing: ` and why a write probe fails" },
                      "nextTimerDue": { "type": "string", "format": "date-time", "nullable": true } } },
                  "reason": { "type": "string", "description": "When not ready: why, and what to do" }
                }
              },
              "Liveness": {
                "type": "object", "required": ["status", "live", "version", "startedAt"], "additionalProperties": false,
                "properties": {
                  "status": { "type": "string", "enum": ["ok"] }, "live": { "type": "boolean" },
                  "version": { "type": "string" }, "startedAt": { "type": "string", "format": "date-time" }
                }
              }
            }
          }
        }
        """#
}
