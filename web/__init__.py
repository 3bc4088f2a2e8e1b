"""The web chat widget (widget.js, widget.css), its demo page and the small server that serves them."""
