"""Resource package for the grammar. ``pde.lark`` here links to the canonical
``grammars/pde.lark`` at the top of the repository; wheels carry a copy of it."""
