from django.conf import settings


def test_settings_are_the_test_ones():
    assert settings.ENV == "test"
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")


def test_me_answers_with_the_token_workspace(api, admin, workspace):
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "admin@acme.test"
    assert response.json()["workspace"]["slug"] == "acme"
