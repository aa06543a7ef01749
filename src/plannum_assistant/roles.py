"""Who does an activity, fitted to the company (``knowledge/roles.yaml``).

The catalogue's activity templates name a role as a large company would ("Contrôleur", "Data
analyst"). Each catalogue title belongs to one role key; each key gives the title a company of
each size band really has (the owner with the external accountant in a micro firm, an office and
finance manager in a small one, a controller in a medium one), in inclusive French. A person the
owner named for a role in the intake's ``team`` ("Julie, notre contrôleuse") takes it by name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, model_validator

from .catalogue import Bilingual, BilingualList, Strict, Text
from .errors import KnowledgeError
from .files import load_model
from .smart import fold
from .vocabulary import Language, SizeBand


class Role(Strict):
    titles: list[Text] = Field(min_length=1, description="catalogue titles (fr and en) this role covers")
    words: BilingualList = Field(description="word prefixes that recognise the role in a title an owner types")
    keep_title: bool = False
    micro: Bilingual
    small: Bilingual
    medium: Bilingual

    def title(self, band: SizeBand) -> Bilingual:
        return {SizeBand.MICRO: self.micro, SizeBand.SMALL: self.small, SizeBand.MEDIUM: self.medium}[band]


class TeamMember(Strict):
    """Someone the owner named, with the role they hold (free text: "contrôleuse", "office manager")."""

    name: Text = Field(max_length=200)
    role: Text = Field(max_length=200)


class Roles(Strict):
    """``knowledge/roles.yaml``."""

    version: int = Field(ge=1)
    roles: dict[str, Role]

    @model_validator(mode="after")
    def _titles_once(self) -> Roles:
        seen: dict[str, str] = {}
        for key, role in self.roles.items():
            for title in role.titles:
                if title in seen and seen[title] != key:
                    raise ValueError(f"roles: title {title!r} is under both {seen[title]} and {key}")
                seen[title] = key
        return self

    def key_of_title(self, title: str) -> str | None:
        """The role key a catalogue title belongs to."""
        return next((key for key, role in self.roles.items() if title in role.titles), None)

    def key_of_person(self, role_text: str) -> str | None:
        """The role key whose words best recognise a free-text role (the longest matching word wins)."""
        folded = fold(role_text)
        best: tuple[int, str] | None = None
        for key, role in self.roles.items():
            for word in [*role.words.fr, *role.words.en]:
                if re.search(rf"(?<![a-z0-9]){re.escape(fold(word))}", folded) and (
                    best is None or len(word) > best[0]
                ):
                    best = (len(word), key)
        return best[1] if best else None

    def responsible(
        self, template: Bilingual, band: SizeBand, language: Language, team: Sequence[TeamMember] = ()
    ) -> str:
        """The title (or the named person) for a catalogue template's responsible role."""
        key = self.key_of_title(template.fr) or self.key_of_title(template.en)
        if key is None:
            return template.get(language)
        for member in team:
            if self.key_of_person(member.role) == key:
                return f"{member.name} ({member.role})"
        role = self.roles[key]
        return template.get(language) if role.keep_title else role.title(band).get(language)

    def for_key(self, key: str, band: SizeBand, language: Language, team: Sequence[TeamMember] = ()) -> str:
        """The title (or the named person) of a role key, for activities the plan adds itself."""
        for member in team:
            if self.key_of_person(member.role) == key:
                return f"{member.name} ({member.role})"
        return self.roles[key].title(band).get(language)


def load_roles(path: Path) -> Roles:
    return load_model(path, Roles, KnowledgeError)
