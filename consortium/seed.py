"""Load the real programme through the services.

Create-only: what exists is left as it is, so running it again changes nothing
and never undoes an admin's later correction (a renamed organisation, a fixed
joining date, a membership that has since ended)."""

from dataclasses import dataclass, field

from django.db import transaction

from . import programme_2025 as data
from . import services
from .models import Membership, Organisation, Programme, Team


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


@transaction.atomic
def seed_programme() -> SeedReport:
    report = SeedReport()

    programme = Programme.objects.filter(slug=data.PROGRAMME["slug"]).first()
    if programme is None:
        programme = services.programme_create(actor=None, **data.PROGRAMME)
        report.created.append(f"programme {programme.slug}")

    organisations = {o.slug: o for o in Organisation.objects.all()}
    for slug, (name_ko, name_en, kind) in data.ORGANISATIONS.items():
        if slug not in organisations:
            organisations[slug] = services.organisation_create(
                actor=None, slug=slug, name_ko=name_ko, name_en=name_en, kind=kind
            )
            report.created.append(f"organisation {slug}")

    for spec in data.TEAMS:
        team = Team.objects.filter(slug=spec["slug"]).first()
        lead_slug, lead_roles, _ = spec["members"][0]
        if team is None:
            team = services.team_create(
                actor=None,
                programme=programme,
                slug=spec["slug"],
                name_ko=spec["name_ko"],
                name_en=spec["name_en"],
                model_name=spec["model_name"],
                lead_organisation=organisations[lead_slug],
                joined_on=data.SELECTED_ON,
                lead_roles=lead_roles,
            )
            report.created.append(f"team {team.slug}")
        present = set(Membership.objects.filter(team=team).values_list("organisation_id", flat=True))
        for slug, roles, joined_on in spec["members"]:
            if organisations[slug].pk not in present:
                services.membership_create(
                    actor=None,
                    team=team,
                    organisation=organisations[slug],
                    roles=list(roles),
                    joined_on=joined_on or data.SELECTED_ON,
                )
                report.created.append(f"membership {team.slug}/{slug}")
    return report
