"""The territories of the pilot: Auvergne-Rhône-Alpes, its départements, Grenoble and Lyon."""

from typing import Final

# (kind, name, INSEE or SIREN code, parent code, kind of parent)
REGION: Final = ("region", "Auvergne-Rhône-Alpes", "84")

DEPARTEMENTS: Final = [
    ("Ain", "01"),
    ("Allier", "03"),
    ("Ardèche", "07"),
    ("Cantal", "15"),
    ("Drôme", "26"),
    ("Isère", "38"),
    ("Loire", "42"),
    ("Haute-Loire", "43"),
    ("Puy-de-Dôme", "63"),
    ("Rhône", "69"),
    ("Savoie", "73"),
    ("Haute-Savoie", "74"),
]

# EPCI are identified by their SIREN number, which INSEE uses as the EPCI code.
# The Métropole de Lyon is a territorial authority with a special status; the hierarchy keeps
# it under the Rhône so that "everything in the Rhône" includes Lyon, as people expect.
EPCIS: Final = [
    ("Grenoble-Alpes Métropole", "200040715", "38"),
    ("Métropole de Lyon", "200046977", "69"),
]

COMMUNES: Final = [
    ("Grenoble", "38185", "200040715"),
    ("Échirolles", "38151", "200040715"),
    ("Saint-Martin-d'Hères", "38421", "200040715"),
    ("Lyon", "69123", "200046977"),
    ("Villeurbanne", "69266", "200046977"),
]

# Quartiers have no INSEE code (INSEE's IRIS units do not match the neighbourhoods people name).
QUARTIERS: Final = [
    ("Villeneuve", "38185"),
    ("Village Olympique", "38185"),
    ("Mistral", "38185"),
    ("Teisseire", "38185"),
    ("Abbaye-Jouhaux", "38185"),
    ("Berriat Saint-Bruno", "38185"),
    ("Hyper-centre", "38185"),
    ("Saint-Laurent", "38185"),
]
