"""Territory model: a node of the administrative hierarchy, with a materialized path."""

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from backend.territories.domain import ancestor_ids_from_path


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI (intercommunality)")
    COMMUNE = "commune", _("Commune")
    QUARTIER = "quartier", _("Neighbourhood")


# Rank of each kind in the hierarchy: a child always has a strictly greater rank.
KIND_RANK = {
    TerritoryKind.REGION: 0,
    TerritoryKind.DEPARTEMENT: 1,
    TerritoryKind.EPCI: 2,
    TerritoryKind.COMMUNE: 3,
    TerritoryKind.QUARTIER: 4,
}


class Territory(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=TerritoryKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    insee_code = models.CharField(
        _("INSEE code"),
        max_length=10,
        blank=True,
        default="",
        help_text=_("Official code where one exists (Grenoble 38185, Isère 38)."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path: the ids of the ancestors and of the node, each zero-padded and
    # followed by "/" ("000001/000007/"). "Everything under X" is path LIKE 'X.path%'.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "insee_code"],
                condition=~models.Q(insee_code=""),
                name="territory_unique_insee_code_per_kind",
            ),
        ]
        indexes = [
            models.Index(
                OpClass("path", name="varchar_pattern_ops"), name="territory_path_prefix_idx"
            ),
            models.Index(Upper("name"), name="territory_upper_name_idx"),
            models.Index(fields=["kind"], name="territory_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Ids of the ancestors, root first, read off the path (no query)."""
        return ancestor_ids_from_path(self.path)
