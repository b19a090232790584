"""Load the real programme through the services; running it again changes nothing."""
from dataclasses import dataclass, field

from django.db import transaction

from . import programme_2025 as data
from . import services
from .models import Membership, Organisation, Programme, Team


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _differences(instance, wanted: dict) -> dict:
    return {k: v for k, v in wanted.items() if getattr(instance, k) != v}


@transaction.atomic
def seed_programme() -> SeedReport:
    report = SeedReport()

    spec = dict(data.PROGRAMME)
    programme = Programme.objects.filter(slug=spec.pop("slug")).first()
    if programme is None:
        programme = services.programme_create(actor=None, slug=data.PROGRAMME["slug"], **spec)
        report.created.append(f"programme {programme.slug}")
    elif changes := _differences(programme, spec):
        services.programme_update(actor=None, programme=programme, **changes)
        report.updated.append(f"programme {programme.slug}")

    organisations = {o.slug: o for o in Organisation.objects.all()}
    for slug, (name_ko, name_en, kind) in data.ORGANISATIONS.items():
        wanted = {"name_ko": name_ko, "name_en": name_en, "kind": kind}
        if slug not in organisations:
            organisations[slug] = services.organisation_create(actor=None, slug=slug, **wanted)
            report.created.append(f"organisation {slug}")
        elif changes := _differences(organisations[slug], wanted):
            services.organisation_update(actor=None, organisation=organisations[slug], **changes)
            report.updated.append(f"organisation {slug}")

    for team_spec in data.TEAMS:
        team = Team.objects.filter(slug=team_spec["slug"]).first()
        names = {k: team_spec[k] for k in ("name_ko", "name_en", "model_name")}
        lead_slug, lead_roles, _ = team_spec["members"][0]
        if team is None:
            team = services.team_create(
                actor=None, programme=programme, slug=team_spec["slug"], lead_organisation=organisations[lead_slug],
                joined_on=data.SELECTED_ON, lead_roles=lead_roles, **names,
            )
            report.created.append(f"team {team.slug}")
        elif changes := _differences(team, names):
            services.team_update(actor=None, team=team, **changes)
            report.updated.append(f"team {team.slug}")
        _seed_members(team, team_spec["members"], organisations, report)
    return report


def _seed_members(team, members, organisations, report: SeedReport) -> None:
    existing = {
        (m.organisation_id, m.joined_on): m for m in Membership.objects.filter(team=team).prefetch_related("roles")
    }
    for slug, roles, joined_on in members:
        organisation = organisations[slug]
        joined_on = joined_on or data.SELECTED_ON
        membership = existing.get((organisation.pk, joined_on))
        if membership is None:
            services.membership_create(actor=None, team=team, organisation=organisation,
                                       roles=list(roles), joined_on=joined_on)
            report.created.append(f"membership {team.slug}/{slug}")
        elif sorted(membership.role_codes) != sorted(roles):
            services.membership_update(actor=None, membership=membership, roles=list(roles))
            report.updated.append(f"membership {team.slug}/{slug}")
