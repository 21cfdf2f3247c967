"""Authoring: what an editor needs to know about a project, with no protocol in it.

The language server (:mod:`opconf.lsp`) is a thin shell over these functions: the session
(:mod:`~opconf.authoring.session`, validation with the editor's text), the symbols of the
workspace (:mod:`~opconf.authoring.symbols`), completion, hover and navigation, renames.
"""
