"""French elision before a name the templates do not know (« d’Ecole 42 », « de Simplon »)."""
from __future__ import annotations

import pytest

from opengen.french import elides


@pytest.mark.parametrize("name", ["Ecole 42", "École du Code", "Afpa", "IUT de Montreuil", "Epitech", "Onisep",
                                  "Université de Lille", "Ynov Campus", "Hôpital numérique", "HEC Paris",
                                  "Œuvre du code", "  « Idem » ", "ISEN"])
def test_de_elides_before_a_vowel_or_a_mute_h(name):
    assert elides(name)


@pytest.mark.parametrize("name", ["Simplon", "Wild Code School", "42 Paris", "Haute École du numérique",
                                  "Hautes Études", "Hall 6", "Yoga et code", "", "   ", "« Simplon »",
                                  "Le Wagon", "ZUP de Co"])
def test_de_stays_before_a_consonant_an_aspirated_h_a_digit_or_nothing(name):
    assert not elides(name)
