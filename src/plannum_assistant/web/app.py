"""The Gradio page (issue 12): a thin shell over :class:`~plannum_assistant.web.handlers.WebApp`.

Layout: the chat with its quick replies and the stage progress on the left; the company and the
gate, the live maturity radar and the pain points on the right; below, the draft plan numérique
and its action plan, the review (decide each item, edit, add from the catalogue, approve) and the
downloads. Every label is in ``knowledge/wording.yaml`` (``ui.*``), switched with the language.
Each browser session keeps only its :class:`UiState` (ids); nothing is shared through globals.
"""

import json
import os
from pathlib import Path
from typing import Any

from ..vocabulary import Dimension, Language
from .handlers import FORMATS, UiState, View, WebApp

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CONCURRENCY = 4  # handlers run at most four at a time (CPU-bound planning on a 2-core machine)
WORK = "work"  # the one concurrency group every turn, upload, review and download shares
QUEUE_SIZE = 64  # requests waiting beyond this are refused with a "busy" message


def build(app: WebApp) -> Any:
    import gradio as gr

    from ..exports.charts import radar_figure

    fr = Language.FR

    def t(key: str, language: Language = fr, **params: object) -> str:
        return app.t(key, language, **params)

    with gr.Blocks(title="plannum-assistant") as page:
        state = gr.State(UiState().model_dump(mode="json"))
        with gr.Row():
            title = gr.Markdown(f"## {t('title')}")
            language = gr.Radio(
                [("Français", "fr"), ("English", "en")], value="fr", label=t("language"), scale=0, elem_id="language"
            )
            badge = gr.Markdown(
                t("badge_llm", model=app.assistant.settings.llm_model)
                if app.assistant.settings.llm_configured
                else t("badge_offline"),
                elem_id="badge",
            )
        banner = gr.Markdown("", elem_id="banner")
        message_line = gr.Markdown("", elem_id="message")
        stages = gr.Markdown("", elem_id="stages")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label=t("chat"), height=460, elem_id="chat")
                choices = gr.Radio([], label=t("quick_replies"), visible=False, elem_id="choices")
                with gr.Row():
                    text = gr.Textbox(label=t("your_answer"), lines=2, scale=4, elem_id="answer")
                    send = gr.Button(t("send"), variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    restart = gr.Button(t("start_over"), size="sm", elem_id="restart")
                    session_field = gr.Textbox(label=t("session_id"), scale=2, elem_id="session-id")
                    resume = gr.Button(t("resume"), size="sm", elem_id="resume")
                upload = gr.File(label=t("upload_intake"), file_types=[".yaml", ".yml", ".json"], elem_id="upload")
            with gr.Column(scale=2):
                company = gr.Markdown(t("company_pending"), elem_id="company")
                radar = gr.Plot(label=t("radar"), elem_id="radar")
                pains = gr.Dataframe(
                    headers=["#", t("pain"), t("function")], label=t("pains"), interactive=False, elem_id="pains"
                )
        initiatives = gr.Dataframe(
            headers=[t("priority"), t("initiative"), t("horizon"), t("answers"), t("serves")],
            label=t("initiatives"),
            interactive=False,
            elem_id="initiatives",
        )
        actions = gr.Dataframe(
            headers=[t("initiative"), t("activity"), t("responsible"), t("budget"), t("start"), t("target")],
            label=t("actions"),
            interactive=False,
            elem_id="actions",
        )
        with gr.Accordion(t("review"), open=True, elem_id="review") as review_box:
            items = gr.Dataframe(
                headers=[t("item"), t("state"), t("reviewer")], label=t("items"), interactive=False, elem_id="items"
            )
            with gr.Row():
                item = gr.Dropdown([], label=t("item"), allow_custom_value=True, elem_id="item")
                action = gr.Radio(
                    [(t(f"action.{a}"), a) for a in ("accept", "reject", "edit", "add", "approve", "request-changes")],
                    value="accept",
                    label=t("action"),
                    elem_id="action",
                )
            with gr.Row():
                change = gr.Textbox(label=t("change"), placeholder="owner=Julie Boisvert", elem_id="change")
                reviewer = gr.Textbox(label=t("reviewer"), elem_id="reviewer")
                comment = gr.Textbox(label=t("comment"), elem_id="comment")
            with gr.Row():
                apply = gr.Button(t("apply"), variant="primary", elem_id="apply")
                accept_all = gr.Button(t("accept_all"), elem_id="accept-all")
            review_note = gr.Markdown("", elem_id="review-note")  # a refused change: the rule, by the fields
        with gr.Row():
            downloads = [gr.Button(t(f"download.{f}"), size="sm", elem_id=f"download-{f}") for f in (*FORMATS, "note")]
        document = gr.File(label=t("document"), interactive=False, elem_id="document")

        views = [
            state,
            chat,
            choices,
            stages,
            company,
            pains,
            initiatives,
            actions,
            items,
            item,
            banner,
            message_line,
            session_field,
            language,
        ]

        def render(view: View, before: dict[str, Any] | None = None) -> list[Any]:
            """The page's outputs for ``view``. The radar is not among them: drawing it is most of a
            turn's time, so :func:`draw_radar` follows each turn and the reply shows at once."""
            lang = view.ui.language
            scores = {k.value: v for k, v in view.maturity.items()}
            kept = {"radar": before.get("radar")} if before else {}
            marks = {"done": "✔", "current": "➜", "todo": "·"}
            progress = "  ".join(
                f"**{marks[s]} {label}**" if s == "current" else f"{marks[s]} {label}" for label, s in view.stages
            )
            message = f"**⚠ {view.error}**" if view.error else (f"ℹ {view.notice}" if view.notice else "")
            return [
                view.ui.model_dump(mode="json") | {"scores": scores} | kept,
                view.chat,
                gr.update(choices=view.choices, value=None, visible=bool(view.choices)),
                progress,
                view.company or t("company_pending", lang),
                table(("#", "pain", "function"), view.pains, lang),
                table(("priority", "initiative", "horizon", "answers", "serves"), view.initiatives, lang),
                table(("initiative", "activity", "responsible", "budget", "start", "target"), view.actions, lang),
                table(
                    ("item_column", "state", "reviewer"),
                    [[k, t(f"item_state.{v}", lang), r] for k, v, r in view.items],
                    lang,
                ),
                gr.update(choices=[row[0] for row in view.items]),
                f"**{view.banner}**" if view.banner else "",
                message,
                view.ui.session_id or "",
                lang.value,
            ]

        def table(keys: tuple[str, ...], rows: list[list[str]], lang: Language) -> dict[str, Any]:
            headers = [key if key == "#" else t(key, lang) for key in keys]
            return {"headers": headers, "data": rows or [["" for _ in keys]]}

        labelled: list[tuple[Any, str, str]] = [
            (title, "title", "heading"),
            (language, "language", "label"),
            (chat, "chat", "label"),
            (choices, "quick_replies", "label"),
            (text, "your_answer", "label"),
            (send, "send", "value"),
            (restart, "start_over", "value"),
            (session_field, "session_id", "label"),
            (resume, "resume", "value"),
            (upload, "upload_intake", "label"),
            (radar, "radar", "label"),
            (pains, "pains", "label"),
            (initiatives, "initiatives", "label"),
            (actions, "actions", "label"),
            (review_box, "review", "label"),
            (items, "items", "label"),
            (item, "item", "label"),
            (action, "action", "label"),
            (change, "change", "label"),
            (reviewer, "reviewer", "label"),
            (comment, "comment", "label"),
            (apply, "apply", "value"),
            (accept_all, "accept_all", "value"),
            (document, "document", "label"),
            (badge, "badge_llm" if app.assistant.settings.llm_configured else "badge_offline", "value"),
        ]
        labelled += [
            (button, f"download.{f}", "value") for button, f in zip(downloads, (*FORMATS, "note"), strict=True)
        ]

        def relabel(data: dict[str, Any]) -> list[Any]:
            lang = ui_of(data).language
            updates = []
            for _, key, attr in labelled:
                words = t(key, lang, model=app.assistant.settings.llm_model)
                if attr == "heading":
                    updates.append(gr.update(value=f"## {words}"))
                elif attr == "value":
                    updates.append(gr.update(value=words))
                else:
                    updates.append(gr.update(label=words))
            actions_choices = [
                (t(f"action.{a}", lang), a) for a in ("accept", "reject", "edit", "add", "approve", "request-changes")
            ]
            updates[[c for c, _, _ in labelled].index(action)] = gr.update(
                label=t("action", lang), choices=actions_choices
            )
            return updates

        def ui_of(data: dict[str, Any]) -> UiState:
            return UiState.model_validate({k: v for k, v in data.items() if k not in ("radar", "scores")})

        def draw_radar(data: dict[str, Any]) -> list[Any]:
            """The live radar, drawn again only when the scores or the language changed."""
            lang = ui_of(data).language
            scores = data.get("scores") or {}
            shown = json.dumps([lang.value, sorted(scores.items())])
            if data.get("radar") == shown:
                return [gr.skip(), gr.skip()]
            figure = None
            if scores:
                profile = app.assistant.maturity_profile({Dimension(k): v for k, v in scores.items()}, lang)
                figure = radar_figure(profile, lambda key, **p: app.assistant.wording.text(key, lang, **p))
            return [figure, data | {"radar": shown}]

        def on_load(data: dict[str, Any], request: gr.Request) -> list[Any]:
            params = dict(request.query_params) if request else {}
            lang = Language(params["lang"]) if params.get("lang") in ("fr", "en") else Language.FR
            if params.get("session"):
                return render(app.resume(UiState(language=lang), params["session"]))
            return render(app.start(lang))

        def on_send(data: dict[str, Any], message: str) -> list[Any]:
            return [*render(app.send(ui_of(data), message), data), ""]

        def on_choice(data: dict[str, Any], choice: str | None) -> list[Any]:
            if not choice:
                return [gr.skip()] * len(views)
            return render(app.send(ui_of(data), choice), data)

        def on_language(data: dict[str, Any], lang: str) -> list[Any]:
            current = ui_of(data)
            if current.plan_id and not current.session_id:
                return render(app.refresh(current), data)  # an uploaded plan stays (in its own language)
            if current.session_id and app.assistant.sessions.load(current.session_id).transcript[1:]:
                return render(app.send(current, ""), data)  # an interview under way keeps its language
            return render(app.start(Language(lang)))

        targets = [component for component, _, _ in labelled]

        def then_draw(event: Any, *, relabelled: bool = False) -> None:
            """After an event that changes the view: the labels (language may change), then the radar."""
            if relabelled:
                event = event.then(relabel, [state], targets, api_visibility="private", show_progress="hidden")
            event.then(
                draw_radar,
                [state],
                [radar, state],
                api_visibility="private",
                show_progress="hidden",
                concurrency_limit=CONCURRENCY,
                concurrency_id=WORK,
            )

        quick: dict[str, Any] = {"concurrency_limit": CONCURRENCY, "concurrency_id": WORK, "show_progress": "hidden"}
        then_draw(page.load(on_load, [state], views, api_name="load"), relabelled=True)
        then_draw(send.click(on_send, [state, text], [*views, text], api_name="send", **quick))
        then_draw(text.submit(on_send, [state, text], [*views, text], api_visibility="private", **quick))
        then_draw(choices.input(on_choice, [state, choices], views, api_name="choose", **quick))
        then_draw(language.input(on_language, [state, language], views, api_name="language"), relabelled=True)
        then_draw(restart.click(lambda d: render(app.start(ui_of(d).language)), [state], views, api_name="restart"))
        resumed = resume.click(
            lambda d, sid: render(app.resume(ui_of(d), sid)), [state, session_field], views, api_name="resume"
        )
        then_draw(resumed, relabelled=True)
        uploaded = upload.upload(
            lambda d, f: render(app.upload(ui_of(d), Path(f))),
            [state, upload],
            views,
            api_name="upload",
            concurrency_limit=CONCURRENCY,
            concurrency_id=WORK,
        )
        then_draw(uploaded, relabelled=True)

        def reviewed(view: View, data: dict[str, Any]) -> list[Any]:
            outputs = render(view, data)
            return [*outputs, outputs[views.index(message_line)]]

        apply.click(
            lambda d, a, i, c, r, m: reviewed(app.review(ui_of(d), a, i or "", c or "", r or "", m or ""), d),
            [state, action, item, change, reviewer, comment],
            [*views, review_note],
            api_name="review",
            concurrency_limit=CONCURRENCY,
            concurrency_id=WORK,
        )
        accept_all.click(
            lambda d, r: reviewed(app.accept_all(ui_of(d), r or ""), d),
            [state, reviewer],
            [*views, review_note],
            api_name="accept_all",
            concurrency_limit=CONCURRENCY,
            concurrency_id=WORK,
        )
        for button, fmt in zip(downloads, (*FORMATS, "note"), strict=True):
            button.click(
                lambda d, f=fmt: _document(app, ui_of(d), f),
                [state],
                [document, message_line],
                api_name=f"download_{fmt}",
                concurrency_limit=CONCURRENCY,
                concurrency_id=WORK,
            )
    return page


def _document(app: WebApp, ui: UiState, fmt: str) -> tuple[str | None, str]:
    from ..errors import PlannumError

    try:
        return str(app.document(ui, fmt)), ""
    except PlannumError as exc:
        return None, f"**⚠ {exc}**"
    except Exception:
        return None, f"**⚠ {app.t('unexpected', ui.language)}"


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """USER:PASS (from --auth or PLANNUM_UI_AUTH), or None."""
    from ..errors import ConfigError

    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("--auth / PLANNUM_UI_AUTH: expected USER:PASS (both non-empty)")
    return user, password


def serve(app: WebApp, host: str, port: int, auth: tuple[str, str] | None, *, block: bool = True) -> Any:
    """Launch the page. A non-loopback address needs auth: the page holds company data."""
    from ..errors import ConfigError

    if host not in LOOPBACK and auth is None:
        raise ConfigError(
            f"--host {host} would open the app to the network without a password: "
            "add --auth USER:PASS (or set PLANNUM_UI_AUTH), or keep the default 127.0.0.1"
        )
    page = build(app)
    page.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    page.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        prevent_thread_lock=not block,
        show_error=False,
        quiet=True,
        footer_links=[],
        ssr_mode=False,
    )
    return page
