"""Every non-trivial read of the data registry, each with a fixed number of queries.

Visibility: the catalogue (providers, licences, datasets) is public, like the
programme register. A purchase is seen by reviewers and admins, and by members of
a team that pays a share of it (private_team_scope — the VIEW_TEAM_PRIVATE rule);
organisation-paid shares are seen by that organisation's users too."""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from core.permissions import private_team_scope

from .compliance import Compliance, compliance_of
from .models import Dataset, Entitlement, Licence, Provider, Purchase, PurchaseShare, TrainingDeclaration

# ---- catalogue ------------------------------------------------------------------------------------------


def dataset_catalogue(
    *, q: str = "", provider: str = "", modality: str = "", training: str = "", open_weight_release: str = ""
) -> QuerySet[Dataset]:
    """Datasets matching a search text (names, description, provider names) and filters."""
    datasets = Dataset.objects.select_related("provider", "licence")
    if q:
        datasets = datasets.filter(
            Q(name_ko__icontains=q)
            | Q(name_en__icontains=q)
            | Q(description__icontains=q)
            | Q(provider__name_ko__icontains=q)
            | Q(provider__name_en__icontains=q)
            | Q(slug__icontains=q)
        )
    if provider:
        datasets = datasets.filter(provider__slug=provider)
    if modality:
        datasets = datasets.filter(modality=modality)
    if training:
        datasets = datasets.filter(licence__training=training)
    if open_weight_release:
        datasets = datasets.filter(licence__open_weight_release=open_weight_release)
    return datasets.order_by("name_ko", "id")


def provider_catalogue(*, q: str = "", kind: str = "") -> QuerySet[Provider]:
    from django.db.models import Count

    providers = Provider.objects.annotate(dataset_count=Count("datasets"))
    if q:
        providers = providers.filter(Q(name_ko__icontains=q) | Q(name_en__icontains=q) | Q(slug__icontains=q))
    if kind:
        providers = providers.filter(kind=kind)
    return providers.order_by("name_ko", "id")


def dataset_detail(*, slug: str) -> Dataset | None:
    return Dataset.objects.select_related("provider", "licence").filter(slug=slug).first()


def licence_list() -> QuerySet[Licence]:
    return Licence.objects.order_by("slug")


# ---- purchases ------------------------------------------------------------------------------------------


def _visible_share_q(user, prefix: str = "") -> Q | None:
    """None: everything is visible. Else the shares the user may see."""
    scope = private_team_scope(user)
    if scope is None:
        return None
    q = Q(**{f"{prefix}team_id__in": scope})
    organisation_id = getattr(user, "organisation_id", None) if user.is_authenticated else None
    if organisation_id:
        q |= Q(**{f"{prefix}organisation_id": organisation_id})
    return q


def purchases_visible_to(user) -> QuerySet[Purchase]:
    """Purchases with provider, intermediary, shares (team/organisation) and datasets loaded."""
    purchases = Purchase.objects.select_related("provider", "intermediary").prefetch_related(
        Prefetch("shares", queryset=PurchaseShare.objects.select_related("team", "organisation").order_by("id")),
        Prefetch("datasets", queryset=Dataset.objects.order_by("name_ko")),
    )
    visible = _visible_share_q(user)
    if visible is not None:
        purchases = purchases.filter(Exists(PurchaseShare.objects.filter(visible, purchase=OuterRef("pk"))))
    return purchases.order_by("-contract_date", "-id")


def purchase_detail(*, user, pk: int) -> Purchase | None:
    return purchases_visible_to(user).filter(pk=pk).first()


def shares_visible_to(user) -> QuerySet[PurchaseShare]:
    """Share rows (one per payer and purchase) for exports and charts. A member sees its own
    team's shares only — never what another team paid, even for a purchase they share."""
    shares = PurchaseShare.objects.select_related(
        "purchase__provider", "purchase__intermediary", "team", "organisation"
    )
    visible = _visible_share_q(user)
    if visible is not None:
        shares = shares.filter(visible)
    return shares.order_by("-purchase__contract_date", "purchase_id", "id")


def spending_summary(user) -> dict:
    """Totals (integer KRW) by provider, by payer and by month, over the shares the user may see.
    Three aggregate queries."""
    shares = shares_visible_to(user).order_by()
    by_provider = (
        shares.values("purchase__provider__name_ko", "purchase__provider__name_en")
        .annotate(total=Sum("amount_krw"))
        .order_by("-total")
    )
    by_payer = (
        shares.values("team__name_ko", "team__name_en", "organisation__name_ko", "organisation__name_en")
        .annotate(total=Sum("amount_krw"))
        .order_by("-total")
    )
    by_month = (
        shares.annotate(month=TruncMonth("purchase__contract_date"))
        .values("month")
        .annotate(total=Sum("amount_krw"))
        .order_by("month")
    )
    return {"by_provider": list(by_provider), "by_payer": list(by_payer), "by_month": list(by_month)}


# ---- entitlements ---------------------------------------------------------------------------------------


def team_entitlements(*, team) -> QuerySet[Entitlement]:
    return (
        Entitlement.objects.filter(team=team)
        .select_related("dataset__provider", "dataset__licence", "purchase")
        .order_by("dataset__name_ko", "valid_from", "id")
    )


def entitlements_visible_to(user) -> QuerySet[Entitlement]:
    entitlements = Entitlement.objects.select_related("dataset", "team", "organisation", "purchase")
    visible = _visible_share_q(user)
    if visible is not None:
        entitlements = entitlements.filter(visible)
    return entitlements.order_by("valid_from", "id")


# ---- training data and compliance -----------------------------------------------------------------------


def training_declaration_of(*, checkpoint) -> TrainingDeclaration | None:
    return (
        TrainingDeclaration.objects.filter(checkpoint=checkpoint)
        .prefetch_related(Prefetch("items", queryset=_items()))
        .first()
    )


def _items():
    from .models import TrainingDataItem

    return TrainingDataItem.objects.select_related("dataset__licence", "dataset__provider").order_by("id")


def compliance_for_checkpoints(checkpoint_ids) -> dict[int, Compliance]:
    """Compliance of each checkpoint id (see compliance.py), in four queries whatever the number:
    the checkpoints' teams, declarations, their items with datasets and licences, the entitlements.
    Ids that do not exist are left out."""
    from evaluation.models import Checkpoint

    ids = list(checkpoint_ids)
    if not ids:
        return {}
    teams = dict(Checkpoint.objects.filter(pk__in=ids).values_list("pk", "team_id"))
    declarations = {
        d.checkpoint_id: d
        for d in TrainingDeclaration.objects.filter(checkpoint_id__in=teams).prefetch_related(
            Prefetch("items", queryset=_items())
        )
    }
    dataset_ids = {i.dataset_id for d in declarations.values() for i in d.items.all()}
    held: dict[tuple[int, int], list[Entitlement]] = defaultdict(list)
    if dataset_ids:
        for e in Entitlement.objects.filter(team_id__in=set(teams.values()), dataset_id__in=dataset_ids):
            held[(e.team_id, e.dataset_id)].append(e)
    result = {}
    for pk, team_id in teams.items():
        declaration = declarations.get(pk)
        by_dataset = {}
        if declaration is not None:
            by_dataset = {i.dataset_id: held.get((team_id, i.dataset_id), []) for i in declaration.items.all()}
        result[pk] = compliance_of(declaration, by_dataset)
    return result
