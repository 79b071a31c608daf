"""Scan: no public endpoint's answer contains any personal field of any stored record.

Every personal value is made unique (a random marker), so finding it in an answer can
only mean a leak. Public = every route except GET/PUT /makers/{id} with its own token
(the maker's own data).
"""

from __future__ import annotations

import json
import uuid

from api_helpers import JSON_HEADERS, body_of, maker_body, post, send, valid_body


def marker() -> str:
    return uuid.uuid4().hex[:10]


def test_no_public_answer_contains_a_personal_value(client, table):
    personal: list[str] = []
    answers: list[str] = []
    references = []
    for n in range(3):
        m = marker()
        body = valid_body(notes=f"note {m}")
        body["contact"] = {"name": f"Nom {m}", "email": f"p{m}@example.org",
                           "phone": f"+33 6 {n}{n} 11 22 33"}
        body["delivery"] = {**body["delivery"], "address": f"{m} rue de la Paix",
                            "postcode": f"1{n}{n}99"}
        body["organization"] = {**body["organization"], "name": f"Hopital {m}"}
        personal += [f"Nom {m}", f"p{m}@example.org", f"+336{n}{n}112233",  # stored: E.164
                     f"{m} rue de la Paix", f"note {m}", f"1{n}{n}99", f"Hopital {m}"]
        response = post(client, body, {**JSON_HEADERS, "Idempotency-Key": str(uuid.uuid4())})
        answers.append(response.body.decode())
        references.append(body_of(response))
    makers = []
    for n in range(3):
        m = marker()
        body = maker_body(name=f"Atelier {m}", postcode=f"7{n}{n}77")
        body["contact"] = {"name": f"Maker {m}", "email": f"m{m}@example.org",
                           "phone": f"+212 6 {n}{n} 44 55 66"}
        personal += [f"Atelier {m}", f"7{n}{n}77", f"Maker {m}", f"m{m}@example.org",
                     f"+2126{n}{n}445566"]
        response = send(client, "POST", "/makers", body)
        answers.append(response.body.decode())
        makers.append(body_of(response))
    send(client, "DELETE", f"/makers/{makers[0]['id']}", token=makers[0]["edit_token"])

    for path in ("/stats", "/designs", "/openapi.json"):
        answers.append(client.http.get(path).body.decode())
    for ref in references:
        answers.append(client.http.get(f"/requests/{ref['reference']}", headers={
            "Authorization": f"Bearer {ref['tracking_token']}"}).body.decode())
        answers.append(client.http.get(f"/requests/{ref['reference']}").body.decode())
    for maker in makers:  # without the token: the public face of a maker id
        answers.append(send(client, "GET", f"/makers/{maker['id']}").body.decode())
    # Error answers echo nothing either.
    bad = valid_body()
    bad["contact"] = {"name": personal[0], "email": "x" + personal[1] + "@", "phone": "abc"}
    answers.append(post(client, bad, {**JSON_HEADERS, "Accept-Language": "ar"}).body.decode())

    stored = json.dumps(table.scan()["Items"], default=str)
    # The scan means something: the requests' personal values are in the table.
    assert all(value in stored for value in personal[:21])
    personal += [f"+33 6 {n}{n} 11 22 33" for n in range(3)]  # and as sent
    leaks = [(value, a[:80]) for a in answers for value in personal if value in a]
    assert leaks == []
