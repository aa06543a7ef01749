"""Commands about the catalogue and its evaluation: catalogue, index, search, eval."""

from __future__ import annotations

import argparse
import json

from ..vocabulary import BusinessFunction, Dimension
from .common import build_assistant, progress
from .output import read_query, refuse_folder, write_atomically


def catalogue_check(args: argparse.Namespace) -> int:
    assistant = build_assistant()
    catalogue = assistant.catalogue
    texts = sum(1 for entry in catalogue for _ in entry.documents())
    dimensions = assistant.dimensions
    context = assistant.plan_context  # loads and checks sectors.yaml, measures.yaml and planner.yaml too
    training = assistant.dense_index.statements  # ranker.yaml and owner_statements.yaml (ids checked)
    print(
        f"catalogue OK: {len(catalogue)} entries, {texts} indexed texts, "
        f"{len(dimensions.dimensions)} maturity dimensions, {len(context.sectors.terms)} sectors, "
        f"{len(context.measures.terms)} measure families, {len(training.statements)} training statements, "
        f"hash {catalogue.content_hash[:12]}"
    )
    return 0


def catalogue_list(args: argparse.Namespace) -> int:
    catalogue = build_assistant().catalogue
    if args.format == "json":
        rows = [{"id": e.id, "name": e.name.model_dump(), "function": e.function.value} for e in catalogue]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for entry in catalogue:
            print(f"{entry.id:<28}{entry.function.value:<24}{entry.name.en}")
    return 0


def index(args: argparse.Namespace) -> int:
    assistant = build_assistant()
    built = assistant.build_index(force=args.force, progress=progress)
    state = "built" if built else "already current"
    print(f"index {state}: {len(assistant.catalogue)} entries at {assistant.settings.index_dir}")
    return 0


def search(args: argparse.Namespace) -> int:
    text = read_query(args.text)
    assistant = build_assistant()
    hits = assistant.search(
        text,
        top_k=args.top,
        mode=args.mode,
        function=BusinessFunction(args.function) if args.function else None,
        dimension=Dimension(args.dimension) if args.dimension else None,
        progress=progress,
    )
    if args.format == "json":
        print(json.dumps([hit.model_dump(mode="json") for hit in hits], indent=2, ensure_ascii=False))
        return 0
    if not hits:
        print("no matching catalogue entry")
    for rank, hit in enumerate(hits, 1):
        print(f'{rank}. {hit.id}  ({hit.score:.4f})  {hit.name}\n   matched: "{hit.matched}"')
    return 0


def eval_retrieval(args: argparse.Namespace) -> int:
    from ..evals import MODES, evaluate_retrieval, format_report, load_eval_set
    from ..settings import repository_path

    assistant = build_assistant()
    source = args.set or repository_path("evals") / "retrieval" / "pain_statements.yaml"
    destination = args.report or repository_path("evals") / "reports" / "retrieval.json"
    refuse_folder(destination)  # said now, not after the evaluation
    eval_set = load_eval_set(source, assistant.catalogue)
    assistant.dense_index.vectors(progress)
    progress(f"evaluating {len(eval_set.items)} statements in {len(MODES)} modes…")
    report = evaluate_retrieval(
        eval_set,
        lambda text, mode: assistant.retriever.search(text, top_k=50, mode=mode),
        source=source,
        catalogue_hash=assistant.catalogue.content_hash,
    )
    print(format_report(report))
    write_atomically(destination, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"report written to {destination}")
    return 0


def eval_scenarios(args: argparse.Namespace) -> int:
    from ..company_evals import evaluate_companies, format_companies, load_companies
    from ..evals import EngineMeter, evaluate_scenarios, format_scenarios, load_scenarios
    from ..intake import Intake
    from ..retrieval import Hit
    from ..settings import repository_path

    assistant = build_assistant()
    folder = args.dir or repository_path("evals") / "scenarios"
    labelled = any(folder.glob("b*.yaml"))  # the labelled company format (evals/companies)
    name = f"{folder.name}-{args.part}" if labelled else folder.name
    destination = args.report or repository_path("evals") / "reports" / f"{name}.json"
    refuse_folder(destination)
    catalogue_hash = assistant.catalogue.content_hash
    assistant.plan_engines(args.engine)  # refuses --engine llm without a provider, before any work
    meter = EngineMeter(lambda intake, today: assistant.draft(intake, today, engine=args.engine))
    if labelled:
        companies = load_companies(folder, assistant.catalogue, args.part)
        companies = dict(list(companies.items())[: args.limit or None])
        assistant.dense_index.vectors(progress)
        progress(f"planning {len(companies)} labelled companies ({args.part} part, engine {args.engine})…")
        limit = assistant.settings.max_query_chars

        def plain_search(intake: Intake) -> dict[str, list[Hit]]:  # what `plannum search` returns
            texts = intake.pain_points
            return dict(zip(texts, assistant.retriever.search_many([t[:limit] for t in texts]), strict=True))

        report = evaluate_companies(
            companies,
            meter,
            assistant.offline_planner.candidates,
            catalogue_hash=catalogue_hash,
            source=folder,
            plain_search=plain_search,
        )
        report["engine"] = meter.figures()
        print(format_companies(report))
    else:
        scenarios = load_scenarios(folder, assistant.catalogue)
        scenarios = dict(list(scenarios.items())[: args.limit or None])
        assistant.dense_index.vectors(progress)
        progress(f"planning {len(scenarios)} scenario companies (engine {args.engine})…")
        report = evaluate_scenarios(scenarios, meter, catalogue_hash=catalogue_hash, catalogue=assistant.catalogue)
        report["engine"] = meter.figures()
        print(format_scenarios(report))
    write_atomically(destination, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"report written to {destination}")
    return 0
