"""The browser view: the Solara page (:mod:`~villagesim.view.app`), its server-drawn pictures
(:mod:`~villagesim.view.render`) and the view as an ASGI app (:mod:`~villagesim.view.serve`, which
:mod:`villagesim.server` mounts beside the classroom). Charts for files are :mod:`villagesim.pictures`.
Importing this package imports none of them."""
