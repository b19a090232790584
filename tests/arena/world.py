"""The route matrix's judging campaign: team A and team B's nominations in the matrix world's
stage, answers stored, judging open, no panel member among the matrix roles."""

from arena.services.campaigns import campaign_create
from arena.services.generation import answers_store
from arena.services.prompt_sets import prompt_set_create


def arena_campaign(world):
    if "arena_campaign" not in world:
        admin = world["users"]["admin"]
        prompt_set = prompt_set_create(
            actor=admin,
            slug="matrix-prompts",
            title="Matrix prompts",
            prompts=[{"key": "p1", "category": "law", "text": "질문"}],
        )
        campaign = campaign_create(
            actor=admin,
            stage=world["stage"],
            prompt_set=prompt_set,
            slug="matrix-panel",
            name_ko="패널",
            name_en="Panel",
            generate=False,
        )
        for entry in campaign.entries.all():
            answers_store(entry=entry, answers={"p1": f"answer {entry.pk}"})
        world["arena_campaign"] = campaign
    return world["arena_campaign"]
