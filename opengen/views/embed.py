"""The map to embed: /embed for a partner's page (the one page other sites may frame), and
« Intégrer la carte » (/integrer), which builds its <iframe> snippet from a search."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from .. import embedding, maps
from ..security import policy
from ..urls import external_url

bp = Blueprint("embed", __name__)


@bp.get("/embed")
@policy(frame_ancestors="*")  # the one page other sites may frame
def frame():
    """Show a compact map and list of the sessions the URL's settings select."""
    page = embedding.embed_page(request.args)
    shell = maps.configured_shell(current_app.config, "events", **page.view.shell_args())
    return render_template("embed/frame.html", page=page, shell=shell,
                           words=embedding.labels(page.view.lang),
                           site_url=external_url("map.index", **page.shown.to_args()))


@bp.get("/integrer")
def builder():
    """Build the <iframe> snippet of a search, with a live preview."""
    setup = embedding.embed_setup(request.args)
    embed_url = external_url("embed.frame") + ("?" + setup.query if setup.query else "")
    code = None if setup.errors else embedding.snippet(
        embed_url, setup.height, _("Carte des sessions Open Gen"))
    return render_template("embed/builder.html", setup=setup, embed_url=embed_url,
                           code=code), 400 if setup.errors else 200
