from kb.models import Feedback

PAGE = "/tutoriels/choisir-mot-de-passe/"


def test_a_visitor_says_a_page_helped(client, seed_tree):
    response = client.post("/avis/", {"page": PAGE, "helpful": "1", "comment": "Clair."})
    assert response.status_code == 302
    assert response["Location"] == PAGE + "#avis"
    feedback = Feedback.objects.get()
    assert (feedback.page, feedback.helpful, feedback.comment) == (PAGE, True, "Clair.")
    assert "Merci, votre avis a été enregistré." in client.get(PAGE).content.decode()


def test_one_vote_per_visitor_and_page(client, seed_tree):
    client.post("/avis/", {"page": PAGE, "helpful": "1"})
    client.post("/avis/", {"page": PAGE, "helpful": "0", "comment": "En fait non."})
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().helpful is False
    client.cookies.clear()  # another visitor
    client.post("/avis/", {"page": PAGE, "helpful": "1"})
    assert Feedback.objects.count() == 2


def test_outcomes_take_feedback_too(client, seed_tree):
    url = "/parcours/methode-a/methode-a-erreur/probleme-carte/"
    assert "Cette page vous a-t-elle été utile\u00a0?" in client.get(url).content.decode()
    assert client.post("/avis/", {"page": url, "helpful": "0"}).status_code == 302


def test_a_too_long_comment_is_refused_and_kept(client, seed_tree):
    comment = "trop long " * 150
    response = client.post("/avis/", {"page": PAGE, "helpful": "1", "comment": comment})
    html = response.content.decode()
    assert response.status_code == 400
    assert "dépasse 1 000 caractères" in html
    assert comment.strip() in html
    assert not Feedback.objects.exists()


def test_a_comment_with_a_password_or_pin_is_refused(client, seed_tree):
    response = client.post("/avis/", {"page": PAGE, "helpful": "0",
                                      "comment": "Mon code PIN 4821 ne marche plus"})
    assert response.status_code == 400
    assert "semble contenir un mot de passe ou un code PIN" in response.content.decode()
    assert not Feedback.objects.exists()


def test_one_vote_per_page_whatever_its_query_string(client, seed_tree):
    client.post("/avis/", {"page": PAGE, "helpful": "1"})
    client.post("/avis/", {"page": PAGE + "?utm=mail", "helpful": "0"})
    assert list(Feedback.objects.values_list("page", "helpful")) == [(PAGE, False)]


def test_only_real_pages_take_feedback(client, seed_tree):
    for page in ["https://evil.example/", "//evil.example/", "/admin/", "/nulle-part/"]:
        assert client.post("/avis/", {"page": page, "helpful": "1"}).status_code == 400
    assert not Feedback.objects.exists()


def test_htmx_gets_a_thank_you_in_place(client, seed_tree):
    response = client.post("/avis/", {"page": PAGE, "helpful": "1"},
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "Merci, votre avis a été enregistré." in html
