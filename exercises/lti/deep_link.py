"""Deep linking: the instructor picks an assignment (or one exercise of it) in the LMS's "add external
tool" dialog; the LMS gets an ltiResourceLink content item whose custom parameters name it and whose
line item has the right maximum score (one point per exercise: the assignment's size, or 1), signed with the tool's key by pylti1p3.
Never imports streamlit.
"""

from __future__ import annotations

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration

from exercises.lti import config
from exercises.lti.outbox import TAG


def choices(assignments) -> list[tuple[str, str]]:
    """(value, label) of everything an instructor can link: each assignment, then each of its exercises."""
    from exercises.practice import exercise_title

    out = []
    for a in assignments:
        out.append((a.id, f"{a.title} (the whole assignment, {a.size} exercise{'s' if a.size != 1 else ''})"))
        out += [(f"{a.id}#{i + 1}", f"{a.title}: exercise {i + 1}, {exercise_title(a, i)}") for i in range(a.size)]
    return out


def content_item(assignments: dict, choice: str, launch_url: str) -> DeepLinkResource:
    """The content item for `choice` ("assignment" or "assignment#n"); KeyError when it is not one."""
    aid, _, n = choice.partition("#")
    assignment = assignments[aid]
    if n and not (n.isdigit() and 1 <= int(n) <= assignment.size):
        raise KeyError(choice)
    title = assignment.title + (f", exercise {n}" if n else "")
    custom = {"assignment": aid, **({"exercise": n} if n else {})}
    line_item = (LineItem().set_tag(f"{TAG}:{aid}").set_resource_id(aid).set_label(title)
                 .set_score_maximum(1.0 if n else float(assignment.size)))  # one point per exercise
    return (DeepLinkResource().set_url(launch_url).set_title(title).set_custom_params(custom)
            .set_lineitem(line_item))


def response(platforms: list[config.Platform], payload: dict, item: DeepLinkResource) -> tuple[str, str]:
    """(the platform's return URL, the signed LtiDeepLinkingResponse JWT) to post there."""
    p = next(p for p in platforms if p.issuer == payload["iss"] and p.client_id == payload["client_id"])
    registration = (Registration().set_issuer(p.issuer).set_client_id(p.client_id)
                    .set_tool_private_key(config.private_key()).set_tool_public_key(config.public_pem()))
    link = DeepLink(registration, payload["deployment_id"], payload["settings"])
    return payload["settings"]["deep_link_return_url"], link.get_response_jwt([item])
