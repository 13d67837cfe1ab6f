"""The browser view: the Solara page (:mod:`~villagesim.view.app`), its server-drawn pictures
(:mod:`~villagesim.view.render`) and the server (:mod:`~villagesim.view.serve`). Charts for files are
:mod:`villagesim.pictures`. Importing this package imports none of them."""
