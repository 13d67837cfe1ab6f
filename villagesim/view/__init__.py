"""The browser view: the Solara page (:mod:`~villagesim.view.app`), its server-drawn pictures
(:mod:`~villagesim.view.render`), charts for files (:mod:`~villagesim.view.charts`) and the server
(:mod:`~villagesim.view.serve`). Importing this package imports none of them."""
