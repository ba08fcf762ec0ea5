from cxkeeper.cli import app

app()
