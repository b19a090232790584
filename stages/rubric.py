"""The default first-stage rubric (100 points) and the rule every rubric keeps."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (key, parent, kind, category, points, name_ko, name_en, criteria[(key, name_ko, name_en, max)])
FIRST_STAGE_RUBRIC = [
    ("benchmarks", None, "group", "", 40, "벤치마크 평가", "Benchmarks", []),
    ("nia", "benchmarks", "benchmark", "nia", 10, "NIA 벤치마크", "NIA benchmark", []),
    ("global_common", "benchmarks", "benchmark", "global_common", 20, "글로벌 공통 벤치마크", "Global common benchmarks", []),
    ("team_chosen", "benchmarks", "benchmark", "team_chosen", 10, "팀 선택 벤치마크", "Team-chosen benchmarks", []),
    ("expert", None, "expert", "", 35, "전문가 평가", "Expert evaluation", [
        ("technology", "기술력 (아키텍처·학습)", "Technology (architecture, training)", 10),
        ("report", "기술 보고서·학습 로그", "Technical report and training logs", 10),
        ("sovereignty", "독자성·확장 계획", "Sovereignty and roadmap", 10),
    ]),
    ("user", None, "user", "", 25, "사용자 평가", "User evaluation", [
        ("usefulness", "유용성", "Usefulness", 5),
        ("accuracy", "정확성", "Accuracy", 5),
        ("korean", "한국어 자연스러움", "Korean fluency", 5),
    ]),
]
DEFAULT_TIE_BREAK = ["benchmarks", "expert"]


def check_rubric(parts: list[dict]) -> None:
    """Every group's points are its children's sum; keys are unique; benchmarks name a category."""
    errors = []
    keys = [p["key"] for p in parts]
    if len(keys) != len(set(keys)):
        errors.append(_("Rubric part keys must be unique."))
    for part in parts:
        children = [c for c in parts if c["parent"] == part["key"]]
        if part["kind"] == "group":
            total = sum(Decimal(str(c["points"])) for c in children)
            if total != Decimal(str(part["points"])):
                errors.append(_("%(part)s has %(points)s points but its parts add up to %(total)s.")
                              % {"part": part["key"], "points": part["points"], "total": total})
        elif children:
            errors.append(_("Only a group may have parts (%(part)s).") % {"part": part["key"]})
        if part["kind"] in ("expert", "user") and not part.get("criteria"):
            errors.append(_("%(part)s needs at least one criterion.") % {"part": part["key"]})
    if errors:
        raise ValidationError({"rubric": errors})
