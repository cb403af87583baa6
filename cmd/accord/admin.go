package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-coalition/accord"
	"github.com/accord-coalition/accord/access"
	accordhttp "github.com/accord-coalition/accord/http"
)

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orgCommand() *command {
	list := &command{name: "list", summary: "list organisations", usage: "org list [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct{ Organisations []*accord.Organisation }
		if err := c.Do(ctx, "GET", "/api/v1/organisations", nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "ID\tNAME\tCREATED")
			for _, o := range out.Organisations {
				fmt.Fprintf(w, "%s\t%s\t%s\n", o.ID, o.Name, day(o.CreatedAt))
			}
		})
	}
	create := &command{name: "create", summary: "add a partner organisation", usage: "org create [flags] ID NAME"}
	create.run = func(ctx context.Context, args []string) error {
		fs := newFlags(create.usage, create.summary+" (coalition-admin)")
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, 2, "an id and a name")
		if err != nil {
			return err
		}
		var o accord.Organisation
		if err := c.Do(ctx, "POST", "/api/v1/organisations", accordhttp.CreateOrganisationRequest{ID: fs.Arg(0), Name: fs.Arg(1)}, &o); err != nil {
			return err
		}
		return api.show(o, func(w *tabwriter.Writer) { fmt.Fprintf(w, "Created organisation %s (%s)\n", o.ID, o.Name) })
	}
	show := &command{name: "show", summary: "show one organisation", usage: "org show [flags] ID"}
	show.run = getOne(show, "/api/v1/organisations/", func(w *tabwriter.Writer, o *accord.Organisation) {
		fmt.Fprintf(w, "ID:\t%s\nName:\t%s\nCreated:\t%s\n", o.ID, o.Name, day(o.CreatedAt))
	})
	return &command{name: "org", summary: "partner organisations", sub: []*command{list, create, show}}
}

// getOne builds the run function of a "show ID" command.
func getOne[T any](c *command, path string, text func(*tabwriter.Writer, *T)) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		fs := newFlags(c.usage, c.summary)
		api := addAPIFlags(fs)
		cl, err := api.start(fs, args, 1, "an id")
		if err != nil {
			return err
		}
		var v T
		if err := cl.Do(ctx, "GET", path+url.PathEscape(fs.Arg(0)), nil, &v); err != nil {
			return err
		}
		return api.show(&v, func(w *tabwriter.Writer) { text(w, &v) })
	}
}

func memberCommand() *command {
	list := &command{name: "list", summary: "list members", usage: "member list [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		org := fs.String("org", "", "only members of this organisation")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct{ Members []*accord.Member }
		if err := c.Do(ctx, "GET", "/api/v1/members?organisation="+url.QueryEscape(*org), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "ID\tORGANISATION\tNAME\tROLE")
			for _, m := range out.Members {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.ID, m.OrganisationID, m.Name, m.Role)
			}
		})
	}
	create := &command{name: "create", summary: "add a member with a role (given as a time-bound grant)", usage: "member create [flags] NAME"}
	create.run = func(ctx context.Context, args []string) error {
		fs := newFlags(create.usage, create.summary+" (coalition-admin)")
		api := addAPIFlags(fs)
		org := fs.String("org", "", "organisation (required)")
		role := fs.String("role", "", "role: "+accord.RoleList()+" (required)")
		reason := fs.String("reason", "", "why the member needs this role (required)")
		days := fs.Int("days", 365, "days until the role's grant expires")
		id := fs.String("id", "", "member id (default: generated)")
		c, err := api.start(fs, args, 1, "the member's name")
		if err != nil {
			return err
		}
		var out struct {
			Member *accord.Member `json:"member"`
			Grant  *accord.Grant  `json:"grant"`
		}
		req := accordhttp.CreateMemberRequest{ID: *id, Organisation: *org, Name: fs.Arg(0), Role: accord.Role(*role), Reason: *reason, ExpiresInDays: *days}
		if err := c.Do(ctx, "POST", "/api/v1/members", req, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Created member %s (%s) in %s as %s until %s\n", out.Member.ID, out.Member.Name, out.Member.OrganisationID, out.Member.Role, day(out.Grant.ExpiresAt))
		})
	}
	show := &command{name: "show", summary: "show one member", usage: "member show [flags] ID"}
	show.run = getOne(show, "/api/v1/members/", func(w *tabwriter.Writer, m *accord.Member) {
		fmt.Fprintf(w, "ID:\t%s\nName:\t%s\nOrganisation:\t%s\nRole:\t%s\nCreated:\t%s\n", m.ID, m.Name, m.OrganisationID, m.Role, day(m.CreatedAt))
	})
	return &command{name: "member", summary: "members of organisations", sub: []*command{list, create, show}}
}

func printGrants(w *tabwriter.Writer, gs []*accord.Grant) {
	fmt.Fprintln(w, "ID\tMEMBER\tORGANISATION\tROLE\tEXPIRES\tREVOKED\tLAST USED\tREASON")
	for _, g := range gs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.ID, g.MemberID, g.OrganisationID, g.Role, day(g.ExpiresAt), day(g.RevokedAt), day(g.LastUsedAt), g.Reason)
	}
}

func grantCommand() *command {
	list := &command{name: "list", summary: "list grants", usage: "grant list [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		member := fs.String("member", "", "only this member's grants")
		org := fs.String("org", "", "only grants in this organisation")
		active := fs.Bool("active", false, "only grants in force now")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		q := url.Values{"member": {*member}, "organisation": {*org}}
		if *active {
			q.Set("active", "true")
		}
		var out struct{ Grants []*accord.Grant }
		if err := c.Do(ctx, "GET", "/api/v1/grants?"+q.Encode(), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) { printGrants(w, out.Grants) })
	}
	create := &command{name: "create", summary: "give a member a role in an organisation, with a reason and an expiry", usage: "grant create [flags] MEMBER ROLE"}
	create.run = func(ctx context.Context, args []string) error {
		fs := newFlags(create.usage, create.summary)
		api := addAPIFlags(fs)
		org := fs.String("org", "", "organisation the role applies in (required)")
		reason := fs.String("reason", "", "why (required)")
		days := fs.Int("days", 90, "days until the grant expires (at most 366)")
		c, err := api.start(fs, args, 2, "a member id and a role")
		if err != nil {
			return err
		}
		var g accord.Grant
		req := accordhttp.CreateGrantRequest{Member: fs.Arg(0), Role: accord.Role(fs.Arg(1)), Organisation: *org, Reason: *reason, ExpiresInDays: *days}
		if err := c.Do(ctx, "POST", "/api/v1/grants", req, &g); err != nil {
			return err
		}
		return api.show(g, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Granted %s to %s in %s until %s (grant %s)\n", g.Role, g.MemberID, g.OrganisationID, day(g.ExpiresAt), g.ID)
		})
	}
	revoke := &command{name: "revoke", summary: "revoke a grant at once", usage: "grant revoke [flags] GRANT-ID"}
	revoke.run = func(ctx context.Context, args []string) error {
		fs := newFlags(revoke.usage, revoke.summary)
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, 1, "a grant id")
		if err != nil {
			return err
		}
		var g accord.Grant
		if err := c.Do(ctx, "POST", "/api/v1/grants/"+url.PathEscape(fs.Arg(0))+"/revoke", struct{}{}, &g); err != nil {
			return err
		}
		return api.show(g, func(w *tabwriter.Writer) { fmt.Fprintf(w, "Revoked grant %s (%s for %s)\n", g.ID, g.Role, g.MemberID) })
	}
	return &command{name: "grant", summary: "time-bound roles given to members", sub: []*command{list, create, revoke}}
}

func tokenCommand() *command {
	list := &command{name: "list", summary: "list your API tokens (or a member's, with token.admin)", usage: "token list [flags]"}
	list.run = func(ctx context.Context, args []string) error {
		fs := newFlags(list.usage, list.summary)
		api := addAPIFlags(fs)
		member := fs.String("member", "", "another member's tokens")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out struct{ Tokens []*accord.Token }
		if err := c.Do(ctx, "GET", "/api/v1/tokens?member="+url.QueryEscape(*member), nil, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintln(w, "ID\tMEMBER\tNAME\tCREATED\tEXPIRES\tREVOKED\tLAST USED")
			for _, t := range out.Tokens {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.MemberID, t.Name, day(t.CreatedAt), day(t.ExpiresAt), day(t.RevokedAt), day(t.LastUsedAt))
			}
		})
	}
	create := &command{name: "create", summary: "create an API token (its secret is shown once)", usage: "token create [flags]"}
	create.run = func(ctx context.Context, args []string) error {
		fs := newFlags(create.usage, create.summary)
		api := addAPIFlags(fs)
		name := fs.String("name", "cli", "a name to recognise the token by")
		days := fs.Int("days", 90, "days until the token expires (at most 366)")
		member := fs.String("member", "", "create it for another member (token.admin)")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		var out accordhttp.CreatedToken
		if err := c.Do(ctx, "POST", "/api/v1/tokens", accordhttp.CreateTokenRequest{Member: *member, Name: *name, ExpiresInDays: *days}, &out); err != nil {
			return err
		}
		return api.show(out, func(w *tabwriter.Writer) {
			fmt.Fprintf(w, "Token %s for %s, expires %s. Its secret (shown only once):\n\n  %s\n", out.Token.ID, out.Token.MemberID, day(out.Token.ExpiresAt), out.Secret)
		})
	}
	revoke := &command{name: "revoke", summary: "revoke a token at once", usage: "token revoke [flags] TOKEN-ID"}
	revoke.run = func(ctx context.Context, args []string) error {
		fs := newFlags(revoke.usage, revoke.summary)
		api := addAPIFlags(fs)
		c, err := api.start(fs, args, 1, "a token id")
		if err != nil {
			return err
		}
		var t accord.Token
		if err := c.Do(ctx, "POST", "/api/v1/tokens/"+url.PathEscape(fs.Arg(0))+"/revoke", struct{}{}, &t); err != nil {
			return err
		}
		return api.show(t, func(w *tabwriter.Writer) { fmt.Fprintf(w, "Revoked token %s (%s)\n", t.ID, t.Name) })
	}
	return &command{name: "token", summary: "API tokens", sub: []*command{list, create, revoke}}
}

func accessCommand() *command {
	review := &command{name: "review", summary: "grants expiring, expired, unused, spread over organisations or wider than a member's role", usage: "access review [flags]"}
	review.run = func(ctx context.Context, args []string) error {
		fs := newFlags(review.usage, review.summary)
		api := addAPIFlags(fs)
		org := fs.String("org", "", "only this organisation's grants")
		expiring := fs.Int("expiring-days", 14, "list grants expiring within this many days")
		unused := fs.Int("unused-days", 30, "list grants unused for this many days")
		c, err := api.start(fs, args, -1, "")
		if err != nil {
			return err
		}
		q := url.Values{"organisation": {*org}, "expiring_days": {fmt.Sprint(*expiring)}, "unused_days": {fmt.Sprint(*unused)}}
		var r access.Review
		if err := c.Do(ctx, "GET", "/api/v1/access/review?"+q.Encode(), nil, &r); err != nil {
			return err
		}
		if *api.json {
			return api.show(r, nil)
		}
		var b strings.Builder
		r.WriteText(&b)
		_, err = fmt.Fprint(stdout, b.String())
		return err
	}
	return &command{name: "access", summary: "access reviews", sub: []*command{review}}
}
