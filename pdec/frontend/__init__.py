"""Front end: text → syntax tree (:mod:`pdec.frontend.parser`, :mod:`pdec.frontend.syntax`)."""
