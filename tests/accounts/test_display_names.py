"""Display names that read as what they are: no invisible characters, one alphabet, and a
comparison key (accounts.models.name_key) that fits its column."""

import pytest

from accounts.models import User, name_key
from tests.factories import make_user

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "hangul filler": "\u3164",
    "variation selector": "\ufe0f",
}
# Twelve Arabic ligatures (U+FDFA), each spelled out by NFKD in some 18 letters.
LONG_KEY_NAME = "\ufdfa" * 12


def save_profile(client, name: str):
    member = make_user(display_name="Old Name")
    client.force_login(member)
    response = client.post("/accounts/profile/", {"display_name": name})
    member.refresh_from_db()
    return response, member


@pytest.mark.parametrize("character", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_are_refused_in_a_display_name(client, character):
    response, member = save_profile(client, f"Amara{character} Okafor")
    assert response.status_code == 200
    message = f"Remove the invisible character (U+{ord(character):04X}) from the name."
    assert message in response.content.decode()
    assert member.display_name == "Old Name"


@pytest.mark.parametrize(
    "name",
    ["Amara Okаfor", "Аmara Okafor", "Amara Οkafor"],  # Cyrillic а, Cyrillic А, Greek Ο
    ids=["cyrillic-a", "cyrillic-capital-a", "greek-omicron"],
)
def test_a_name_mixing_latin_with_cyrillic_or_greek_is_refused(client, name):
    response, member = save_profile(client, name)
    page = response.content.decode()
    assert "A name may use one alphabet: not Latin letters with Cyrillic or Greek ones." in page
    assert member.display_name == "Old Name"


@pytest.mark.parametrize(
    "name", ["Amára Ökafor", "Анна Петрова", "Αθηνά Παππά", "李小龍", "Ana-María O'Neil 2"]
)
def test_names_in_one_alphabet_are_fine(client, name):
    response, member = save_profile(client, name)
    assert response.status_code == 302
    assert member.display_name == name


def test_a_name_whose_key_would_not_fit_its_column_is_refused(client):
    # On PostgreSQL saving it was a server error: the key is longer than its column.
    assert len(LONG_KEY_NAME) <= 80
    assert len(name_key(LONG_KEY_NAME)) > User._meta.get_field("display_name_key").max_length
    response, member = save_profile(client, LONG_KEY_NAME)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This name is too long once its characters are spelled out: shorten it." in page
    assert member.display_name == "Old Name"


def test_sign_up_refuses_an_invisible_character_in_the_name(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.member@example.org",
            "password1": "a-long-test-password",
            "password2": "a-long-test-password",
            "display_name": "New\u200bMember",
        },
    )
    assert response.status_code == 200
    assert "Remove the invisible character (U+200B) from the name." in response.content.decode()
    assert not User.objects.filter(email="new.member@example.org").exists()
