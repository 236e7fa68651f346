"""AMA-style reference entries: authors, journal, volume/issue/pages, and identifier links."""

from __future__ import annotations

import pytest

from generator.model.schema import Reference
from generator.text.citations import author_list, doi_url, reference_html, reference_markdown, reference_text

PHILLIPS = Reference(
    type="article",
    authors=["Phillips JL", "Norris S", "Talbot J", "Birmingham M", "Hatchard T", "Ortiz A", "et al."],
    title="Single, repeated, and maintenance ketamine infusions for treatment-resistant depression:"
    " a randomized controlled trial",
    journal="American Journal of Psychiatry",
    year=2019,
    volume="176",
    issue="5",
    pages="401-409",
    doi="10.1176/appi.ajp.2018.18070834",
    pmid="30922101",
)
LABEL = Reference(
    type="label", title="SPRAVATO (esketamine) nasal spray, US prescribing information",
    publisher="Janssen Pharmaceuticals", year=2019, url="https://www.spravatohcp.com/",
)


@pytest.mark.parametrize(
    ("authors", "text"),
    [
        (["Singh JB"], "Singh JB"),
        (["Singh JB", "et al."], "Singh JB, et al."),
        ([f"Author{n} A" for n in range(1, 7)], "Author1 A, Author2 A, Author3 A, Author4 A, Author5 A, Author6 A"),
        ([f"Author{n} A" for n in range(1, 8)], "Author1 A, Author2 A, Author3 A, et al."),
        (PHILLIPS.authors, "Phillips JL, Norris S, Talbot J, et al."),
        ([], ""),
    ],
)
def test_author_lists_follow_ama(authors: list[str], text: str) -> None:
    assert author_list(authors) == text


def test_a_journal_article_as_text() -> None:
    assert reference_text(PHILLIPS) == (
        "Phillips JL, Norris S, Talbot J, et al. Single, repeated, and maintenance ketamine infusions for"
        " treatment-resistant depression: a randomized controlled trial. American Journal of Psychiatry."
        " 2019;176(5):401-409. doi:10.1176/appi.ajp.2018.18070834. PMID: 30922101"
    )


def test_a_journal_article_as_markdown_links_doi_and_pubmed() -> None:
    assert reference_markdown(PHILLIPS) == (
        "Phillips JL, Norris S, Talbot J, et al. Single, repeated, and maintenance ketamine infusions for"
        " treatment-resistant depression: a randomized controlled trial. *American Journal of Psychiatry*."
        " 2019;176(5):401-409. doi:[10.1176/appi.ajp.2018.18070834](<https://doi.org/10.1176/appi.ajp.2018.18070834>)."
        " [PMID: 30922101](<https://pubmed.ncbi.nlm.nih.gov/30922101/>)"
    )


def test_a_label_with_publisher_and_url_as_html() -> None:
    assert reference_html(LABEL) == (
        "SPRAVATO (esketamine) nasal spray, US prescribing information. Janssen Pharmaceuticals; 2019."
        ' <a href="https://www.spravatohcp.com/">https://www.spravatohcp.com/</a>'
    )


def test_volume_and_pages_without_issue() -> None:
    reference = PHILLIPS.model_copy(update={"issue": None, "doi": None, "pmid": None, "authors": ["Sanacora G"]})
    assert reference_text(reference).endswith("Sanacora G. Single, repeated, and maintenance ketamine infusions for"
                                              " treatment-resistant depression: a randomized controlled trial."
                                              " American Journal of Psychiatry. 2019;176:401-409.")


def test_markup_in_titles_is_escaped_and_bad_identifiers_are_not_linked() -> None:
    reference = LABEL.model_copy(update={"title": "A *bold* <script> title", "url": "javascript:alert(1)"})
    assert reference_markdown(reference) == (
        "A \\*bold\\* &lt;script&gt; title. Janssen Pharmaceuticals; 2019. javascript:alert(1)"
    )
    assert reference_html(reference) == (
        "A *bold* &lt;script&gt; title. Janssen Pharmaceuticals; 2019. javascript:alert(1)"
    )


def test_doi_urls_encode_characters_that_break_links() -> None:
    assert doi_url("10.1016/S0140-6736(19)30001-X") == "https://doi.org/10.1016/S0140-6736%2819%2930001-X"
