import HTTPServer
import Domain
import TicketStore

/// The OpenAPI 3 description of the JSON API, served at `/api/openapi.yaml`.
///
/// Embedded so the binary serves it without a resource bundle. It is a copy of
/// `docs/openapi.yaml`; `APITests.openAPIDocumentIsServedAndMatchesDocs` fails when the two differ.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.0.3
info:
  title: CampusDesk API
  version: 0.1.0
  description: |
    The campus helpdesk's JSON API. Every change is a command to the ticket worker; the answer is
    the worker's reply (read-your-writes). Errors are RFC 9457 problem documents.
    The role comes from the X-CampusDesk-Role header (absent means user).
servers:
  - url: /
paths:
  /api/tickets:
    get:
      summary: List tickets, newest first
      parameters:
        - $ref: '#/components/parameters/Role'
        - { name: status, in: query, schema: { type: string }, description: "open, active or closed; several comma-separated. Users may not ask for closed (403) and never get closed tickets." }
        - { name: category, in: query, schema: { $ref: '#/components/schemas/Category' } }
        - { name: q, in: query, schema: { type: string, maxLength: 200 }, description: Words to find in description, location and reporter. }
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 500, default: 50 } }
        - { name: cursor, in: query, schema: { type: string }, description: The next_cursor of the previous page. }
      responses:
        '200':
          description: One page
          content:
            application/json:
              schema:
                type: object
                required: [tickets, next_cursor]
                properties:
                  tickets: { type: array, items: { $ref: '#/components/schemas/Ticket' } }
                  next_cursor: { type: string, nullable: true }
        '400': { $ref: '#/components/responses/Problem' }
        '403': { $ref: '#/components/responses/Problem' }
    post:
      summary: Report a problem
      parameters:
        - $ref: '#/components/parameters/Role'
        - $ref: '#/components/parameters/IdempotencyKey'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [description]
              properties:
                description: { type: string, maxLength: 5000 }
                location: { type: string, maxLength: 200 }
                reporter: { type: string, maxLength: 200 }
      responses:
        '201':
          description: Filed; Location names the ticket
          content: { application/json: { schema: { $ref: '#/components/schemas/Ticket' } } }
        '202': { $ref: '#/components/responses/Queued' }
        '400': { $ref: '#/components/responses/Problem' }
        '413': { $ref: '#/components/responses/Problem' }
        '415': { $ref: '#/components/responses/Problem' }
        '422': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/tickets/{id}:
    parameters:
      - $ref: '#/components/parameters/TicketID'
      - $ref: '#/components/parameters/Role'
    get:
      summary: One ticket with its messages (404 for a user asking for a closed ticket)
      responses:
        '200':
          description: The ticket
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Ticket'
                  - type: object
                    properties:
                      messages: { type: array, items: { $ref: '#/components/schemas/Message' } }
        '404': { $ref: '#/components/responses/Problem' }
    patch:
      summary: Edit an open or active ticket; absent fields stay, an empty location or reporter clears it
      parameters:
        - $ref: '#/components/parameters/IdempotencyKey'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                description: { type: string, maxLength: 5000 }
                location: { type: string, maxLength: 200 }
                reporter: { type: string, maxLength: 200 }
      responses:
        '200': { description: The ticket as stored, content: { application/json: { schema: { $ref: '#/components/schemas/Ticket' } } } }
        '202': { $ref: '#/components/responses/Queued' }
        '404': { $ref: '#/components/responses/Problem' }
        '409': { $ref: '#/components/responses/Problem' }
        '415': { $ref: '#/components/responses/Problem' }
        '422': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/tickets/{id}/status:
    parameters:
      - $ref: '#/components/parameters/TicketID'
      - $ref: '#/components/parameters/Role'
      - $ref: '#/components/parameters/IdempotencyKey'
    post:
      summary: Move a ticket open → active → closed (staff only)
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, required: [status], properties: { status: { $ref: '#/components/schemas/Status' } } }
      responses:
        '200': { description: The ticket as stored, content: { application/json: { schema: { $ref: '#/components/schemas/Ticket' } } } }
        '202': { $ref: '#/components/responses/Queued' }
        '403': { $ref: '#/components/responses/Problem' }
        '404': { $ref: '#/components/responses/Problem' }
        '409': { $ref: '#/components/responses/Problem' }
        '422': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/tickets/{id}/messages:
    parameters:
      - $ref: '#/components/parameters/TicketID'
      - $ref: '#/components/parameters/Role'
      - $ref: '#/components/parameters/IdempotencyKey'
    post:
      summary: Post a message under a ticket that is not closed
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [body]
              properties:
                body: { type: string, maxLength: 5000 }
                author_name: { type: string, maxLength: 200 }
      responses:
        '201': { description: The message, content: { application/json: { schema: { $ref: '#/components/schemas/Message' } } } }
        '202': { $ref: '#/components/responses/Queued' }
        '404': { $ref: '#/components/responses/Problem' }
        '409': { $ref: '#/components/responses/Problem' }
        '422': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/tickets/{id}/category:
    parameters:
      - $ref: '#/components/parameters/TicketID'
      - $ref: '#/components/parameters/Role'
      - $ref: '#/components/parameters/IdempotencyKey'
    put:
      summary: Set the category by hand (staff only); it then stays through edits
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, required: [category], properties: { category: { $ref: '#/components/schemas/Category' } } }
      responses:
        '200': { description: The ticket as stored, content: { application/json: { schema: { $ref: '#/components/schemas/Ticket' } } } }
        '202': { $ref: '#/components/responses/Queued' }
        '403': { $ref: '#/components/responses/Problem' }
        '404': { $ref: '#/components/responses/Problem' }
        '409': { $ref: '#/components/responses/Problem' }
        '422': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/analytics/open-tickets:
    get:
      summary: Tickets opened in the last N hours or days that are not closed (staff only)
      parameters:
        - $ref: '#/components/parameters/Role'
        - { name: hours, in: query, schema: { type: integer, minimum: 1, maximum: 8760 } }
        - { name: days, in: query, schema: { type: integer, minimum: 1, maximum: 365 } }
      description: Exactly one of hours and days; anything else is a 400 problem.
      responses:
        '200':
          description: The count
          content:
            application/json:
              schema:
                type: object
                required: [hours, since, count]
                properties:
                  hours: { type: integer }
                  since: { type: string, format: date-time }
                  count: { type: integer }
        '400': { $ref: '#/components/responses/Problem' }
        '403': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/analytics/resolution-time:
    get:
      summary: Average resolution time per opening month (staff only)
      parameters: [ { $ref: '#/components/parameters/Role' } ]
      responses:
        '200':
          description: Months with at least one closed ticket
          content:
            application/json:
              schema:
                type: object
                required: [months]
                properties:
                  months:
                    type: array
                    items:
                      type: object
                      required: [month, closed, average_seconds]
                      properties:
                        month: { type: string, example: '2026-01' }
                        closed: { type: integer }
                        average_seconds: { type: number }
        '403': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /api/analytics/category-load:
    get:
      summary: Tickets per category and status (staff only)
      parameters: [ { $ref: '#/components/parameters/Role' } ]
      responses:
        '200':
          description: All three categories
          content:
            application/json:
              schema:
                type: object
                required: [categories]
                properties:
                  categories:
                    type: array
                    items:
                      type: object
                      required: [category, open, active, closed]
                      properties:
                        category: { $ref: '#/components/schemas/Category' }
                        open: { type: integer }
                        active: { type: integer }
                        closed: { type: integer }
        '403': { $ref: '#/components/responses/Problem' }
        '503': { $ref: '#/components/responses/Problem' }
  /healthz:
    get:
      summary: The gateway process is up
      responses:
        '200': { description: Up, content: { application/json: { schema: { type: object, properties: { status: { type: string } } } } } }
  /readyz:
    get:
      summary: 200 only when the ticket worker and the analytics workers answer
      responses:
        '200': { $ref: '#/components/responses/Readiness' }
        '503': { $ref: '#/components/responses/Readiness' }
  /api/openapi.yaml:
    get:
      summary: This document
      responses:
        '200': { description: OpenAPI 3, content: { application/yaml: { schema: { type: string } } } }
components:
  parameters:
    Role:
      name: X-CampusDesk-Role
      in: header
      schema: { type: string, enum: [user, staff], default: user }
      description: Absent means user; any other value is a 400 problem.
    IdempotencyKey:
      name: Idempotency-Key
      in: header
      schema: { type: string, minLength: 1, maxLength: 100 }
      description: Visible ASCII without spaces or quotes. A retried request with the same key is applied once and gets the same answer.
    TicketID:
      name: id
      in: path
      required: true
      schema: { type: integer, minimum: 1 }
  schemas:
    Status: { type: string, enum: [open, active, closed] }
    Category: { type: string, enum: [facility, it, services] }
    Ticket:
      type: object
      required: [id, description, location, reporter, category, category_source, category_confidence, status, opened_at, modified_at, closed_at]
      properties:
        id: { type: integer }
        description: { type: string }
        location: { type: string, nullable: true }
        reporter: { type: string, nullable: true }
        category: { $ref: '#/components/schemas/Category' }
        category_source: { type: string, enum: [auto, staff] }
        category_confidence: { type: number, nullable: true, minimum: 0, maximum: 1 }
        status: { $ref: '#/components/schemas/Status' }
        opened_at: { type: string, format: date-time }
        modified_at: { type: string, format: date-time }
        closed_at: { type: string, format: date-time, nullable: true }
    Message:
      type: object
      required: [id, ticket_id, author_role, author_name, body, sent_at]
      properties:
        id: { type: integer }
        ticket_id: { type: integer }
        author_role: { type: string, enum: [user, staff] }
        author_name: { type: string, nullable: true }
        body: { type: string }
        sent_at: { type: string, format: date-time }
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: { type: string, description: "about:blank, or /problems/<refusal code>" }
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
        field: { type: string, description: The request field concerned, if any }
        code: { type: string, enum: [not_found, forbidden, invalid_transition, read_only, validation], description: "The worker's refusal code, if any" }
  responses:
    Problem:
      description: An RFC 9457 problem document
      content: { application/problem+json: { schema: { $ref: '#/components/schemas/Problem' } } }
    Queued:
      description: Sent durably but no reply in time; it will be applied. Retry with the same Idempotency-Key to read the result.
      content:
        application/json:
          schema: { type: object, required: [command_id, detail], properties: { command_id: { type: string }, detail: { type: string } } }
    Readiness:
      description: The state of each dependency
      content:
        application/json:
          schema:
            type: object
            required: [ready, checks]
            properties:
              ready: { type: boolean }
              checks:
                type: array
                items:
                  type: object
                  required: [name, ready]
                  properties: { name: { type: string }, ready: { type: boolean }, detail: { type: string } }

"""#

    static var response: HTTPResponse {
        var r = HTTPResponse(status: .ok, contentType: "application/yaml; charset=utf-8", body: yaml)
        r.headers.set("Cache-Control", "public, max-age=3600")
        return r
    }
}
