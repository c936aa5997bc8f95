"""Namespaces, declared once for the whole package (RDF terms are pyoxigraph's)."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode


class Namespace:
    """``RG.Project`` or ``RG["role-lead"]`` -> a pyoxigraph NamedNode; ``str(RG)`` the IRI.

    Not a ``str`` subclass on purpose: ``DCT.title`` must be a term, not ``str.title``.
    """

    __slots__ = ("iri",)

    def __init__(self, iri: str):
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)

    def __str__(self) -> str:
        return self.iri

    def __len__(self) -> int:
        return len(self.iri)


RG = Namespace("https://w3id.org/regiograph/ns#")
RGC = Namespace("https://w3id.org/regiograph/concept/")
CODE = Namespace("https://w3id.org/regiograph/code/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: prefix -> namespace, for Turtle output and for predeclared SPARQL prefixes
PREFIXES: dict[str, str] = {
    prefix: ns.iri
    for prefix, ns in {
        "rg": RG,
        "rgc": RGC,
        "code": CODE,
        "org": ORG,
        "foaf": FOAF,
        "skos": SKOS,
        "dct": DCT,
        "prov": PROV,
        "schema": SCHEMA,
        "dcat": DCAT,
        "xsd": XSD,
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
    }.items()
}


#: XSD numeric datatype IRI -> the Python type of its values
NUMBERS: dict[str, type] = {
    XSD.integer.value: int,
    XSD.int.value: int,
    XSD.long.value: int,
    XSD.decimal.value: float,
    XSD.double.value: float,
    XSD.float.value: float,
}


def literal_value(term: Literal) -> int | float | str:
    """A literal as Python: a number of an XSD numeric type as int or float (its lexical
    form when malformed), any other literal its lexical form.

    >>> literal_value(Literal("12", datatype=XSD.integer)), literal_value(Literal("Kemi"))
    (12, 'Kemi')
    >>> literal_value(Literal("1.5", datatype=XSD.decimal))
    1.5
    """
    convert = NUMBERS.get(term.datatype.value)
    if convert is not None:
        try:
            return convert(term.value)
        except ValueError:
            return term.value
    return term.value


def sparql_prologue() -> str:
    """PREFIX lines for every namespace above, to put before a user's query."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def default_base(dataset_id: str) -> str:
    """Where entity IRIs are minted when the dataset names no ``base``."""
    return f"https://w3id.org/regiograph/dataset/{dataset_id}/"
