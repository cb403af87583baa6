package node

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/accord-coalition/accord"
)

// InitOptions name what a first run creates.
type InitOptions struct {
	Coalition    string // coalition name
	Organisation string // id of the first organisation (the admin's)
	OrgName      string
	AdminName    string
}

// Initialised is the outcome of Initialise on a new node.
type Initialised struct {
	AdminID     string
	AdminSecret string // shown once, never stored
}

// Initialise creates the coalition, its first organisation, a coalition-admin
// and the admin's token on a node's first run. On an initialised node it
// returns nil and changes nothing.
func (n *Node) Initialise(ctx context.Context, o InitOptions) (*Initialised, error) {
	if _, err := n.Store.Coalition(ctx); err == nil {
		return nil, nil
	} else if accord.ErrorCode(err) != accord.ENOTFOUND {
		return nil, err
	}
	now := time.Now().UTC()
	secret, hash := accord.NewTokenSecret()
	b := &accord.Bootstrap{
		Coalition:    accord.Coalition{Name: o.Coalition, CreatedAt: now},
		Organisation: accord.Organisation{ID: o.Organisation, Name: o.OrgName, CreatedAt: now},
		Admin:        accord.Member{ID: "admin", OrganisationID: o.Organisation, Name: o.AdminName, Role: accord.RoleCoalitionAdmin, CreatedAt: now},
		Grant: accord.Grant{ID: accord.NewID("grt"), MemberID: "admin", OrganisationID: o.Organisation, Role: accord.RoleCoalitionAdmin,
			Reason: "first coalition-admin, created when the node was set up", GrantedBy: "system", CreatedAt: now, ExpiresAt: now.Add(365 * 24 * time.Hour)},
		Token: accord.Token{ID: accord.NewID("tok"), MemberID: "admin", Name: "first-run", Hash: hash, CreatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour)},
	}
	if err := b.Organisation.Validate(); err != nil {
		return nil, err
	}
	if err := (Auditor{Log: n.Audit}).Record(ctx, &accord.AuditRecord{MemberID: "system", OrganisationID: o.Organisation,
		Action: "coalition.bootstrap", Resource: "coalition", Allowed: true, Reason: "first run of the node"}); err != nil {
		return nil, fmt.Errorf("audit bootstrap: %w", err)
	}
	if err := n.Store.Bootstrap(ctx, b); err != nil {
		return nil, err
	}
	return &Initialised{AdminID: "admin", AdminSecret: secret}, nil
}

// DemoMember is one line of demo-tokens.json.
type DemoMember struct {
	Organisation string      `json:"organisation"`
	Role         accord.Role `json:"role"`
	Token        string      `json:"token"`
}

// demoOrganisations is the demo coalition: three partners, each with a
// member in every organisation-level role.
var demoOrganisations = []struct {
	id, name string
	people   []string // one name per role in demoRoles
}{
	{"riverside-tenants", "Riverside Tenants Union", []string{"Amara Okafor", "Ben Carter", "Chen Wei", "Dana Levi", "Efua Mensah"}},
	{"eastside-health", "Eastside Health Collective", []string{"Farah Haddad", "Goran Petrovic", "Hana Sato", "Ivan Morales", "Jin Park"}},
	{"north-legal-aid", "North Legal Aid", []string{"Kofi Boateng", "Lena Fischer", "Maya Singh", "Nia Brown", "Omar Aziz"}},
}

var demoRoles = []accord.Role{accord.RoleSteward, accord.RoleCustodian, accord.RoleAnalyst, accord.RoleAuditor, accord.RoleCommunityRep}

// SeedDemo adds the demo coalition and writes every demo member's token to
// <data>/demo-tokens.json (mode 0600). admin, if given, is included so every
// role can be tried. It does nothing if the demo already exists.
func (n *Node) SeedDemo(ctx context.Context, admin *Initialised) (string, error) {
	path := filepath.Join(n.DataDir, DemoTokensFile)
	if _, err := n.Store.Organisation(ctx, demoOrganisations[0].id); err == nil {
		return path, nil
	}
	now := time.Now().UTC()
	tokens := map[string]DemoMember{}
	if admin != nil {
		m, err := n.Store.Member(ctx, admin.AdminID)
		if err != nil {
			return "", err
		}
		tokens[admin.AdminID] = DemoMember{Organisation: m.OrganisationID, Role: accord.RoleCoalitionAdmin, Token: admin.AdminSecret}
	}
	for _, o := range demoOrganisations {
		if err := n.Store.CreateOrganisation(ctx, &accord.Organisation{ID: o.id, Name: o.name, CreatedAt: now}); err != nil {
			return "", fmt.Errorf("demo organisation %s: %w", o.id, err)
		}
		for i, role := range demoRoles {
			id := fmt.Sprintf("%s-%s", o.id, role)
			m := &accord.Member{ID: id, OrganisationID: o.id, Name: o.people[i], Role: role, CreatedAt: now}
			g := &accord.Grant{ID: accord.NewID("grt"), MemberID: id, OrganisationID: o.id, Role: role, Reason: "demo coalition",
				GrantedBy: "system", CreatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour)}
			if err := n.Store.CreateMember(ctx, m, g); err != nil {
				return "", fmt.Errorf("demo member %s: %w", id, err)
			}
			secret, hash := accord.NewTokenSecret()
			if err := n.Store.CreateToken(ctx, &accord.Token{ID: accord.NewID("tok"), MemberID: id, Name: "demo", Hash: hash,
				CreatedAt: now, ExpiresAt: now.Add(90 * 24 * time.Hour)}); err != nil {
				return "", fmt.Errorf("demo token %s: %w", id, err)
			}
			tokens[id] = DemoMember{Organisation: o.id, Role: role, Token: secret}
		}
	}
	if err := (Auditor{Log: n.Audit}).Record(ctx, &accord.AuditRecord{MemberID: "system", Action: "coalition.demo-seed",
		Resource: "coalition", Allowed: true, Reason: "--demo"}); err != nil {
		return "", fmt.Errorf("audit demo seed: %w", err)
	}
	b, err := json.MarshalIndent(tokens, "", "  ")
	if err != nil {
		return "", err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, os.Rename(tmp, path)
}
